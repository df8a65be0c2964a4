// Parameter counts of candidate models, for the static "params" baseline: the number of weights stored
// in the file (ONNX initializers and Constant tensors; tfjs weight manifests).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { findZooEntry, zooFiles } from '@emms/feature-extractors';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

function product(dims: readonly (number | string | { toNumber(): number })[] | null | undefined): number {
  let n = 1;
  for (const d of dims ?? []) n *= typeof d === 'object' ? d.toNumber() : Number(d);
  return n;
}

/**
 * Weights stored in an ONNX model: the elements of every initializer and of every Constant node's
 * tensor (PaddleOCR exports keep their weights as Constant nodes). Scalars count 1.
 *
 * @param bytes - the .onnx file's bytes.
 * @returns the parameter count, or undefined when the bytes are not an ONNX model.
 * @example
 * ```ts
 * onnxParameterCount(readFileSync('model.onnx')); // e.g. 2_100_000
 * ```
 */
export function onnxParameterCount(bytes: Uint8Array): number | undefined {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    return undefined;
  }
  const graph = model.graph;
  if (!graph) return undefined;
  let n = 0;
  for (const t of graph.initializer ?? []) n += product(t.dims as never);
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant') continue;
    for (const a of node.attribute ?? []) if (a.t) n += product(a.t.dims as never);
  }
  return n;
}

/**
 * Parameter count of a candidate: zoo ids (ONNX or the nsfwjs tfjs models) and .onnx paths; undefined
 * for anything else (hub models, raw pixels) or when the file cannot be read.
 *
 * @param model - a zoo id or a .onnx path.
 * @returns the number of stored weights, or undefined.
 * @example
 * ```ts
 * modelParameterCount('ppocr-cls'); // the weights of the PP-OCR direction classifier
 * ```
 */
export function modelParameterCount(model: string): number | undefined {
  try {
    const zoo = findZooEntry(model);
    if (zoo?.backend === 'tfjs') {
      const json = createRequire(import.meta.url)(zooFiles(zoo)[0]!) as {
        weightsManifest: { weights: { shape: number[] }[] }[];
      };
      return json.weightsManifest.flatMap((g) => g.weights).reduce((a, w) => a + product(w.shape), 0);
    }
    const path = zoo ? zooFiles(zoo)[0]! : model;
    if (!path.toLowerCase().endsWith('.onnx')) return undefined;
    return onnxParameterCount(readFileSync(path));
  } catch {
    return undefined;
  }
}
