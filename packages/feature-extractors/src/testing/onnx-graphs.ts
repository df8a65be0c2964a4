// Test helpers: small ONNX image graphs whose outputs are known by hand (built with @emms/testing).
import { type Dims, floatTensor, model, node, valueInfo } from '@emms/testing';

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
