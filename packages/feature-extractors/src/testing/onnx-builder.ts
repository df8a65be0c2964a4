// Test helpers: write small ONNX graphs from code with onnx-proto.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A graph input/output: name and dims (strings are symbolic). */
export type Dims = (number | string)[];

export function valueInfo(name: string, dims: Dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: 1,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

export function floatTensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: 1, floatData: values });
}

export function int64Tensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: 7, int64Data: values });
}

export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, number | number[]> = {},
) {
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

/** Serialises a one-graph model (IR 8, opset 13). */
export function model(g: {
  nodes: ReturnType<typeof node>[];
  inputs: ReturnType<typeof valueInfo>[];
  outputs: ReturnType<typeof valueInfo>[];
  initializers?: ReturnType<typeof floatTensor>[];
}): Uint8Array {
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

/**
 * A tiny conv net on one grey channel: x [N,1,H,W] → 1×1 Conv (2 filters: 2x+1 and −x) → "conv" →
 * Relu → "relu" → GlobalAveragePool → "gap" → Flatten → "features" (the graph output, [N,2]).
 * So the "relu" map averaged per channel is mean(relu(2x+1)) and mean(relu(−x)).
 */
export function tinyConvNet(
  h: Dims[number] = 'h',
  w: Dims[number] = 'w',
  batch: Dims[number] = 'n',
): Uint8Array {
  return model({
    inputs: [valueInfo('x', [batch, 1, h, w])],
    outputs: [valueInfo('features', [batch, 2])],
    initializers: [floatTensor('W', [2, 1, 1, 1], [2, -1]), floatTensor('B', [2], [1, 0])],
    nodes: [
      node('Conv', ['x', 'W', 'B'], ['conv']),
      node('Relu', ['conv'], ['relu']),
      node('GlobalAveragePool', ['relu'], ['gap']),
      node('Flatten', ['gap'], ['features'], { axis: 1 }),
    ],
  });
}

/** x [N,1,h,w] → Flatten → MatMul with a 16×2 matrix: runs only on 4×4 images although the input is dynamic. */
export function needs16Pixels(): Uint8Array {
  return model({
    inputs: [valueInfo('x', ['n', 1, 'h', 'w'])],
    outputs: [valueInfo('y', ['n', 2])],
    initializers: [floatTensor('M', [16, 2], new Array(32).fill(0.5))],
    nodes: [node('Flatten', ['x'], ['flat'], { axis: 1 }), node('MatMul', ['flat', 'M'], ['y'])],
  });
}
