/**
 * `pnpm bench`: our scores on each backend against a numpy program doing what the published
 * code does, on the same synthetic .npy files. See README.md for the options.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildResult } from './child';
import { type BenchInputs, generateInputs } from './generate';

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, '..');
const repoRoot = resolve(pkgRoot, '../..');

import { parseArgs, TASKS, type Task } from './args';

/** Tasks the python side runs with reference.py (EMMS, LogME, micro); the rest with scores.py. */
const REFERENCE_PY: readonly string[] = TASKS;
/**
 * Our variants of a score that share its reference: EMMS in single precision (option precision
 * 'float32') is compared with the same numpy EMMS, measured once per size.
 */
const SAME_REFERENCE: Readonly<Record<string, Task>> = { 'emms-f32': 'emms' };
/** Scores whose published reference is randomly initialised (values agree only within the seed spread). */
const RANDOMISED = new Set(['nleep', 'parc', 'pactran-dirichlet', 'pactran-gamma']);
/**
 * How close our value must be to the reference on the small size: |ours − ref| ≤ rtol·|ref| + atol.
 * Deterministic scores: the fixtures' tolerances. PACTran-Gauss: both optimisers stop at tol 1e-6,
 * short of the optimum, along different paths. Randomised references: the seed spread.
 */
const AGREEMENT: Record<string, { rtol: number; atol: number }> = {
  emms: { rtol: 1e-4, atol: 1e-6 },
  'emms-f32': { rtol: 1e-4, atol: 1e-6 },
  logme: { rtol: 1e-4, atol: 1e-6 },
  leep: { rtol: 1e-5, atol: 1e-6 },
  nce: { rtol: 1e-5, atol: 1e-6 },
  sfda: { rtol: 1e-4, atol: 1e-6 },
  transrate: { rtol: 1e-4, atol: 1e-6 },
  hscore: { rtol: 1e-4, atol: 1e-6 },
  gbc: { rtol: 1e-3, atol: 1e-6 },
  'pactran-gauss': { rtol: 2e-3, atol: 1e-6 },
  nleep: { rtol: 0.14, atol: 1e-6 },
  parc: { rtol: 0.15, atol: 2.5 },
  'pactran-dirichlet': { rtol: 0.1, atol: 1e-6 },
  'pactran-gamma': { rtol: 0.1, atol: 1e-6 },
};
type Side = 'numpy' | 'js' | 'openblas';

/** The environment of a measured child: OpenBLAS left to pick its own kernel and cache sizes. */
function childEnv(threads?: number): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (threads !== undefined) {
    env.OPENBLAS_NUM_THREADS = String(threads);
    env.OMP_NUM_THREADS = String(threads);
  }
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  delete env.EMMS_LINALG;
  return env;
}

function findPython(wanted?: string, modules = 'numpy'): string | null {
  const candidates = [wanted, process.env.EMMS_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', `import ${modules}`], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

interface Row extends Partial<ChildResult> {
  size: string;
  task: Task;
  side: Side;
  wall_seconds: number;
  input_bytes: number;
}

function run(
  cmd: string,
  argv: string[],
  timeout: number,
  threads?: number,
): { json?: ChildResult; wall: number; error?: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    env: childEnv(threads),
    encoding: 'utf8',
    timeout: timeout * 1000,
    maxBuffer: 1 << 24,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.error) return { wall, error: (r.error as Error).message };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { json: JSON.parse(line) as ChildResult, wall };
  } catch {
    return {
      wall,
      error: `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
}

const fmt = (v: number | undefined, digits = 2): string =>
  v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const mb = (kb: number | undefined): string => (kb === undefined ? '-' : `${(kb / 1024).toFixed(0)}`);

type Find = (size: string, task: Task, side: Side) => Row | undefined;

/**
 * `--all`: one line per size, score and backend with both sides' seconds, the ratio, both peak
 * RSS values and both values; returns the value agreement (checked on the small size) and adds
 * the speed targets of issue 12 through `check`.
 */
function allScoresTable(
  rows: Row[],
  find: Find,
  backends: readonly ('js' | 'openblas')[],
  check: (target: string, met: boolean | null, detail: string) => void,
): {
  size: string;
  score: string;
  backend: string;
  ours?: number;
  reference?: number;
  agree: boolean | null;
  randomised: boolean;
}[] {
  const out: ReturnType<typeof allScoresTable> = [];
  console.log(
    '\n| size | score | backend | reference s | ours s | reference ÷ ours | reference RSS MiB | ours RSS MiB | reference value | our value | agree |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.side === 'numpy') continue;
    const key = `${r.size}/${r.task}/${r.side}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ref = find(r.size, r.task, 'numpy');
    const ours = r.error ? undefined : r;
    const ratio = ref?.seconds && ours?.seconds ? ref.seconds / ours.seconds : undefined;
    const tol = AGREEMENT[r.task];
    const randomised = RANDOMISED.has(r.task);
    const agree =
      ref?.value !== undefined && ours?.value !== undefined && tol
        ? Math.abs(ours.value - ref.value) <= tol.rtol * Math.abs(ref.value) + tol.atol
        : null;
    out.push({
      size: r.size,
      score: r.task,
      backend: r.side,
      ours: ours?.value,
      reference: ref?.value,
      agree,
      randomised,
    });
    const note =
      agree === null ? '-' : `${agree ? 'yes' : 'NO'}${randomised ? ' (randomised reference)' : ''}`;
    console.log(
      `| ${r.size} | ${r.task} | ${r.side} | ${fmt(ref?.seconds)} | ${r.error ? `error: ${r.error.slice(0, 60)}` : fmt(ours?.seconds)} | ${ratio ? `${fmt(ratio, 1)}×` : '-'} | ${mb(ref?.max_rss_kb)} | ${mb(ours?.max_rss_kb)} | ${ref?.value === undefined ? '-' : ref.value.toPrecision(8)} | ${ours?.value === undefined ? '-' : ours.value.toPrecision(8)} | ${note} |`,
    );
  }
  for (const backend of backends) {
    for (const r of out.filter((o) => o.backend === backend && o.size !== 'tiny')) {
      const ours = find(r.size, r.score as Task, backend);
      const ref = find(r.size, r.score as Task, 'numpy');
      if (!ours?.seconds || !ref?.seconds) continue;
      const mixture = r.score === 'nleep' || r.score === 'pactran-dirichlet' || r.score === 'pactran-gamma';
      // issue 12: the mixtures ≥ 2× at small, mid and wide; issue 21: NLEEP ≥ 2× at 2000×512×20,
      // every score ≥ 1× elsewhere (large)
      const need =
        mixture &&
        (['small', 'mid', 'wide'].includes(r.size) || (r.score === 'nleep' && r.size === '2000x512x20'))
          ? 2
          : 1;
      check(
        `${r.size}: ${backend} ${r.score} ${need === 2 ? '≥ 2× faster than' : 'no slower than'} its reference`,
        ref.seconds / ours.seconds >= need,
        `${fmt(ours.seconds)} s vs ${fmt(ref.seconds)} s (${fmt(ref.seconds / ours.seconds, 1)}×)`,
      );
    }
    for (const r of out.filter((o) => o.backend === backend && o.size === 'small' && o.agree !== null)) {
      check(
        `small: ${backend} ${r.score} agrees with its reference${r.randomised ? ' (randomised reference: within the seed spread)' : ''}`,
        r.agree,
        `${r.ours?.toPrecision(8)} vs ${r.reference?.toPrecision(8)}`,
      );
    }
  }
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const python = args.numpy ? findPython(args.python, args.all ? 'numpy, scipy, sklearn' : 'numpy') : null;
  if (args.numpy && !python)
    console.log(
      args.all
        ? 'notice: no python3 with numpy, scipy and scikit-learn found; the references are skipped (tooling/setup.sh --bench installs them)'
        : 'notice: no python3 with numpy found; the numpy baseline is skipped (apt-get install python3-numpy)',
    );
  const rows: Row[] = [];
  const inputsBySize: Record<string, BenchInputs> = {};
  const child = join(here, 'child.js');
  const ref = join(pkgRoot, 'python', 'reference.py');
  const scoresPy = join(pkgRoot, 'python', 'scores.py');

  for (const size of args.sizes) {
    const t0 = performance.now();
    const inputs = generateInputs(
      join(args.dir, `${args.all ? 'all-' : ''}${size.name}-seed${args.seed}`),
      size,
      args.seed,
    );
    inputsBySize[size.name] = inputs;
    console.log(
      `\n== ${size.name}: N=${size.n} D=${size.d} L=${size.l} K=${size.k} C=${size.c}${size.cs ? ` Cs=${size.cs}` : ''}; inputs ${(inputs.bytes / 2 ** 20).toFixed(0)} MiB in ${inputs.dir} (${((performance.now() - t0) / 1000).toFixed(1)} s to prepare)`,
    );
    for (const task of args.tasks) {
      if (task === 'micro' && size !== args.sizes[0]) continue; // the micro-benchmark does not depend on size
      const sides = [...(python ? (['numpy'] as const) : []), ...args.backends].filter((side) => {
        const skip = side === 'js' && size.name === 'large' && !args.jsLarge && task !== 'micro';
        if (skip) console.log(`  ${task} js: skipped at large (minutes on one thread; --js-large runs it)`);
        return !skip;
      });
      // Repetitions go round the sides in turn, so a busy moment of a shared machine does not
      // land on one side only; each side keeps its fastest run.
      const best = new Map<Side, ReturnType<typeof run>>();
      const shared = SAME_REFERENCE[task];
      const measured = shared
        ? rows.find((r) => r.size === size.name && r.task === shared && r.side === 'numpy')
        : undefined;
      if (measured) {
        console.log(`  ${task}: the reference is ${shared}'s, measured above`);
        rows.push({ ...measured, task });
      }
      for (let rep = 0; rep < args.repeat; rep++) {
        for (const side of sides) {
          if (side === 'numpy' && measured) continue;
          const prev = best.get(side);
          if (prev && (prev.error || prev.json?.error)) continue;
          const once =
            side === 'numpy'
              ? run(
                  python!,
                  [REFERENCE_PY.includes(task) ? ref : scoresPy, SAME_REFERENCE[task] ?? task, inputs.dir],
                  args.timeout,
                  args.threads,
                )
              : run(
                  process.execPath,
                  [child, task, inputs.dir, side, ...(args.warm ? ['warm'] : [])],
                  args.timeout,
                  args.threads,
                );
          const failed = !!(once.error || once.json?.error);
          if (
            !prev ||
            failed ||
            (once.json?.seconds ?? Number.POSITIVE_INFINITY) < (prev.json?.seconds ?? 0)
          ) {
            best.set(side, once);
          }
        }
      }
      for (const side of sides) {
        if (side === 'numpy' && measured) continue;
        const r = best.get(side)!;
        const row: Row = {
          ...r.json,
          size: size.name,
          task,
          side,
          wall_seconds: r.wall,
          input_bytes: inputs.bytes,
        };
        if (r.error) row.error = r.error;
        rows.push(row);
        console.log(
          `  ${task.padEnd(13)} ${side.padEnd(8)} ${row.error ? `ERROR ${row.error}` : `${fmt(row.seconds)} s (cpu ${fmt(row.cpu_seconds)} s; +${fmt(row.load_seconds)} s load), peak ${mb(row.max_rss_kb)} MiB${row.gram_seconds !== undefined ? `, gram ${fmt(row.gram_seconds)} s, eigh ${fmt(row.eigh_seconds)} s` : ''}`}`,
        );
      }
    }
  }

  const find = (size: string, task: Task, side: Side): Row | undefined =>
    rows.find((r) => r.size === size && r.task === task && r.side === side && !r.error);

  // Table
  console.log(
    '\n| size | score | backend | seconds | cpu s | numpy ÷ ours | load s | peak RSS MiB | RSS ÷ input | value | rel. diff to numpy | BLAS kernel |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const np = find(r.size, r.task, 'numpy');
    const speed = np && r.seconds ? np.seconds! / r.seconds : undefined;
    const rel =
      r.task !== 'micro' && np && r.value !== undefined && np.value !== undefined
        ? Math.abs(r.value - np.value) / Math.max(Math.abs(np.value), 1e-300)
        : undefined;
    const extra = r.task === 'micro' ? ` (gram ${fmt(r.gram_seconds)}, eigh ${fmt(r.eigh_seconds)})` : '';
    console.log(
      `| ${r.size} | ${r.task} | ${r.side} | ${r.error ? `error: ${r.error.slice(0, 80)}` : fmt(r.seconds) + extra} | ${fmt(r.cpu_seconds)} | ${r.side === 'numpy' ? '1' : speed ? `${fmt(speed, 1)}×` : '-'} | ${fmt(r.load_seconds)} | ${mb(r.max_rss_kb)} | ${r.max_rss_kb ? fmt((r.max_rss_kb * 1024) / r.input_bytes) : '-'} | ${r.value === undefined ? '-' : r.value.toPrecision(8)} | ${rel === undefined ? '-' : rel.toExponential(1)} | ${r.blas?.corename ?? '-'} |`,
    );
  }
  for (const [name, inp] of Object.entries(inputsBySize))
    console.log(`input files, ${name}: ${(inp.bytes / 2 ** 20).toFixed(1)} MiB`);

  // Targets (issue 4; with --all, issue 12)
  const targets: { target: string; met: boolean | null; detail: string }[] = [];
  const check = (target: string, met: boolean | null, detail: string) =>
    targets.push({ target, met, detail });
  const sec = (r?: Row) => r?.seconds;
  const agreement = args.all ? allScoresTable(rows, find, args.backends, check) : [];
  if (!args.all) {
    const npE = sec(find('mid', 'emms', 'numpy'));
    const obE = sec(find('mid', 'emms', 'openblas'));
    const npL = sec(find('mid', 'logme', 'numpy'));
    const obL = sec(find('mid', 'logme', 'openblas'));
    const obLF = sec(find('mid', 'logme-flabels', 'openblas'));
    const jsE = sec(find('mid', 'emms', 'js'));
    const have = (...v: (number | undefined)[]) => v.every((x) => x !== undefined);
    if (have(npE, obE))
      check('mid: openblas EMMS ≥ 10× faster than numpy EMMS', npE! / obE! >= 10, `${fmt(npE! / obE!, 1)}×`);
    if (have(npL, obL))
      check(
        'mid: openblas LogME (classification) no slower than numpy LogME',
        obL! <= npL!,
        `${fmt(obL)} s vs ${fmt(npL)} s`,
      );
    if (have(obLF, obE))
      check(
        'mid: openblas EMMS ≥ 5× faster than LogME on the same F-labels',
        obLF! / obE! >= 5,
        `${fmt(obLF! / obE!, 1)}×`,
      );
    if (have(npE, jsE))
      check('mid: js EMMS faster than numpy EMMS', jsE! < npE!, `${fmt(jsE)} s vs ${fmt(npE)} s`);
    const lE = find('large', 'emms', 'openblas');
    if (lE) {
      check(
        'large: openblas EMMS < 15 s',
        lE.seconds! < 15,
        `${fmt(lE.seconds)} s compute (+${fmt(lE.load_seconds)} s reading files)`,
      );
      const ratio = (lE.max_rss_kb! * 1024) / lE.input_bytes;
      check(
        'large: openblas EMMS peak RSS < 2.5× input files',
        ratio < 2.5,
        `${fmt(ratio)}× (${mb(lE.max_rss_kb)} MiB vs ${(lE.input_bytes / 2 ** 20).toFixed(0)} MiB)`,
      );
    }
    const micro = (side: Side) => rows.find((r) => r.task === 'micro' && r.side === side && !r.error);
    const mNp = micro('numpy');
    const mJs = micro('js');
    if (mNp && mJs) {
      check(
        'js: Gram 20000×1024 within 6× of numpy',
        mJs.gram_seconds! <= 6 * mNp.gram_seconds!,
        `${fmt(mJs.gram_seconds! / mNp.gram_seconds!, 1)}× numpy's time`,
      );
      check(
        'js: eigh 1024 within 6× of numpy',
        mJs.eigh_seconds! <= 6 * mNp.eigh_seconds!,
        `${fmt(mJs.eigh_seconds! / mNp.eigh_seconds!, 1)}× numpy's time`,
      );
    }
  }
  console.log(`\nTargets (${args.all ? 'issues 12 and 21' : 'issue 4'}):`);
  for (const t of targets) console.log(`  [${t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.detail}`);

  const outDir = join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    python,
    seed: args.seed,
    threads: args.threads ?? 'default',
    warm: args.warm,
    repeat: args.repeat,
    inputs: inputsBySize,
    rows,
    agreement,
    targets,
  };
  const file = join(outDir, `bench-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

main();
