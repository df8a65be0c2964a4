import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX TensorProto element type codes we name in messages (subset of onnx.TensorProto.DataType). */
const ELEM_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

/** One tensor a graph computes: a node output, with its element type when the file records it. */
export interface GraphTensorInfo {
  readonly name: string;
  /** Operator type of the node that produces it. */
  readonly op: string;
  /** Element type ("float32", ...) when known from the graph's value info. */
  readonly type?: string;
  /** Shape from the value info when recorded; strings are symbolic dimensions. */
  readonly shape?: readonly (number | string)[];
}

/** Decodes ONNX model bytes; throws plain Error when the bytes are not an ONNX model. */
export function decodeModel(bytes: Uint8Array): InstanceType<typeof onnx.ModelProto> {
  const model = onnx.ModelProto.decode(bytes);
  if (!model.graph?.node || model.graph.node.length === 0) {
    throw new Error('the file decodes to no ONNX graph');
  }
  return model;
}

function typeOf(vi: { type?: { tensorType?: { elemType?: number | null; shape?: unknown } | null } | null }) {
  const tt = vi.type?.tensorType;
  if (!tt) return {};
  const elem = tt.elemType ?? 0;
  const dims = (tt.shape as { dim?: { dimValue?: unknown; dimParam?: string | null }[] } | null)?.dim;
  const shape = dims?.map((d) =>
    d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0
      ? Number(d.dimValue)
      : (d.dimParam ?? '?'),
  );
  return { type: ELEM_NAMES[elem] ?? `onnx-type-${elem}`, shape };
}

/** Every tensor the main graph computes (node outputs), in node order. */
export function listGraphTensors(bytes: Uint8Array): GraphTensorInfo[] {
  const graph = decodeModel(bytes).graph!;
  const infos = new Map<string, ReturnType<typeof typeOf>>();
  for (const vi of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    if (vi.name) infos.set(vi.name, typeOf(vi));
  }
  const out: GraphTensorInfo[] = [];
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      if (!name) continue;
      out.push({ name, op: node.opType ?? '', ...infos.get(name) });
    }
  }
  return out;
}

/**
 * Returns new model bytes whose graph also outputs `tensorName` (an intermediate tensor). The added output
 * carries the tensor's recorded value info, or only its name (onnxruntime then infers type and shape).
 * With `replace`, it becomes the only output, so onnxruntime prunes every node the tensor does not need.
 * Throws plain Error when no node produces the tensor.
 */
export function addGraphOutput(
  bytes: Uint8Array,
  tensorName: string,
  opts: { replace?: boolean } = {},
): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  if ((graph.output ?? []).some((o) => o.name === tensorName)) return bytes;
  const produced = (graph.node ?? []).some((n) => (n.output ?? []).includes(tensorName));
  if (!produced) throw new Error(`no node of the graph produces a tensor named "${tensorName}"`);
  const known = (graph.valueInfo ?? []).find((v) => v.name === tensorName);
  const info = known
    ? onnx.ValueInfoProto.create({ name: tensorName, type: known.type })
    : onnx.ValueInfoProto.create({ name: tensorName });
  graph.output = opts.replace ? [info] : [...(graph.output ?? []), info];
  return onnx.ModelProto.encode(model).finish();
}
