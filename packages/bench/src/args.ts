// `pnpm bench`'s command line: the tasks it can run and its options.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ALL_SIZES, type BenchSize, customSize, SIZES } from './generate';

export const TASKS = ['emms', 'emms-f32', 'logme', 'logme-flabels', 'micro'] as const;
/** `--all`: every built-in score and the PACTran plugin's, each beside its python reference. */
export const SCORE_TASKS = [
  'emms',
  'emms-f32',
  'logme',
  'leep',
  'nce',
  'nleep',
  'sfda',
  'transrate',
  'hscore',
  'gbc',
  'parc',
  'pactran-dirichlet',
  'pactran-gamma',
  'pactran-gauss',
] as const;
export type Task = (typeof TASKS)[number] | (typeof SCORE_TASKS)[number];

export interface Args {
  all: boolean;
  sizes: BenchSize[];
  backends: ('js' | 'openblas')[];
  tasks: Task[];
  seed: number;
  dir: string;
  python?: string;
  jsLarge: boolean;
  numpy: boolean;
  timeout: number;
  repeat: number;
  threads?: number;
  warm: boolean;
}

export const USAGE = `usage: pnpm bench --all [--size small|mid|wide|large|NxDxC|all] [--metrics emms,logme,leep,…] [--backend openblas|js|all]
       (every score beside its python reference; needs python3 with numpy, scipy, scikit-learn)
       pnpm bench [--size mid|large|all] [--backend js|openblas|all] [--metrics emms,logme,logme-flabels,micro]
                  [--seed 1] [--dir DIR] [--python PATH] [--no-numpy] [--js-large] [--timeout SECONDS]
                  [--repeat N]  (best of N runs of each child; the machine may be shared)
                  [--threads N] (OPENBLAS_NUM_THREADS for every child; default: OpenBLAS's own choice)
                  [--warm]      (ours: one untimed run on 6 rows per class first, compiling the hot code)`;

export function parseArgs(argv: string[]): Args {
  const all = argv.includes('--all');
  const args: Args = {
    all,
    sizes: [SIZES.mid!, SIZES.large!],
    backends: ['js', 'openblas'],
    tasks: all ? [...SCORE_TASKS] : [...TASKS],
    seed: 1,
    dir: join(tmpdir(), 'emms-bench'),
    jsLarge: false,
    numpy: true,
    timeout: 1200,
    repeat: 1,
    warm: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--' || a === '--all') continue;
    else if (a === '--size' && all) {
      const v = value();
      if (v === 'all') args.sizes = [ALL_SIZES.small!, ALL_SIZES.mid!, ALL_SIZES.wide!];
      else if (ALL_SIZES[v]) args.sizes = [ALL_SIZES[v]!];
      else if (customSize(v)) args.sizes = [customSize(v)!];
      else
        throw new Error(
          `--size with --all must be small, mid, wide, large, all (or tiny), or NxDxC such as 2000x512x20, got ${v}`,
        );
    } else if (a === '--size') {
      const v = value();
      if (v === 'all') args.sizes = [SIZES.mid!, SIZES.large!];
      else if (SIZES[v]) args.sizes = [SIZES[v]!];
      else throw new Error(`--size must be mid, large, all (or tiny), got ${v}`);
    } else if (a === '--backend') {
      const v = value();
      if (v === 'all') args.backends = ['js', 'openblas'];
      else if (v === 'js' || v === 'openblas') args.backends = [v];
      else throw new Error(`--backend must be js, openblas or all, got ${v}`);
    } else if (a === '--metrics') {
      const list = value().split(',');
      const known: readonly string[] = all ? SCORE_TASKS : TASKS;
      for (const t of list)
        if (!known.includes(t)) throw new Error(`--metrics: unknown "${t}"; known: ${known.join(',')}`);
      args.tasks = list as Task[];
    } else if (a === '--seed') args.seed = Number(value());
    else if (a === '--dir') args.dir = resolve(value());
    else if (a === '--python') args.python = value();
    else if (a === '--no-numpy') args.numpy = false;
    else if (a === '--js-large') args.jsLarge = true;
    else if (a === '--timeout') args.timeout = Number(value());
    else if (a === '--threads') args.threads = Math.max(1, Math.floor(Number(value())));
    else if (a === '--warm') args.warm = true;
    else if (a === '--repeat') args.repeat = Math.max(1, Math.floor(Number(value())));
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (all) {
    if (!argv.includes('--size')) args.sizes = [ALL_SIZES.small!, ALL_SIZES.mid!, ALL_SIZES.wide!];
    // the js backend is single-threaded: minutes at mid; ask for it with --backend js|all
    if (!argv.includes('--backend')) args.backends = ['openblas'];
  }
  return args;
}
