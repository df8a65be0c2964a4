// Small ONNX graphs written from code with onnx-proto (IR 8, opset 13).
import onnxProto, { type onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element type codes used by the test graphs. */
export const FLOAT = 1;
/** ONNX element type code of int64. */
export const INT64 = 7;

/** Dims of a graph input/output: numbers are fixed, strings are symbolic. */
export type Dims = (number | string)[];

/** A graph input or output of element type `elemType` (float32 by default). */
export function valueInfo(name: string, dims: Dims, elemType: number = FLOAT): Onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

/** A float32 initializer. */
export function floatTensor(name: string, dims: number[], values: number[]): Onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: values });
}

/** An int64 initializer. */
export function int64Tensor(name: string, dims: number[], values: number[]): Onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: INT64, int64Data: values });
}

/** One operator; number attributes become INT, number-array attributes INTS. */
export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, number | number[]> = {},
): Onnx.NodeProto {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v)
      ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
      : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v }),
  );
  return onnx.NodeProto.create({
    opType: op,
    input: inputs,
    output: outputs,
    name: `${op}_${outputs[0]}`,
    attribute,
  });
}

/** The parts of a one-graph model. */
export interface GraphParts {
  nodes: Onnx.NodeProto[];
  inputs: Onnx.ValueInfoProto[];
  outputs: Onnx.ValueInfoProto[];
  initializers?: Onnx.TensorProto[];
}

/** Serialises a one-graph model (IR 8, opset 13) to .onnx bytes. */
export function model(g: GraphParts): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'emms-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: onnx.GraphProto.create({
      name: 'g',
      node: g.nodes,
      input: g.inputs,
      output: g.outputs,
      initializer: g.initializers ?? [],
    }),
  });
  return onnx.ModelProto.encode(m).finish();
}
