// Seeded fuzz inputs for the command line: a small valid task (features, labels, F-labels,
// probabilities, a features folder, score/truth tables, a bench spec), one file of it damaged by a
// byte-, value-, text- or JSON-level mutation, and the command line that reads it. Input `id` of
// seed `seed` is the same on every machine, so a failure is replayed with `--only ID`.
import {
  encodeNpy,
  encodeNpz,
  encodeSafetensors,
  mulberry32,
  normalFrom,
  type Tensor,
} from '@emms/tensor-io';

/** The commands the fuzzer drives. */
export const FUZZ_COMMANDS = ['inspect', 'score', 'rank', 'agreement', 'bench'] as const;
export type FuzzCommand = (typeof FUZZ_COMMANDS)[number];

/** A file of an input: bytes, or a path that is a named pipe or a folder. */
export type FuzzFile = Uint8Array | 'fifo' | 'folder';

/** One fuzz input: the files to create in an empty folder, and the command line run there. */
export interface FuzzInput {
  readonly id: number;
  readonly command: FuzzCommand;
  readonly argv: readonly string[];
  /** Relative path → contents. Folders of a path are created as needed. */
  readonly files: ReadonlyMap<string, FuzzFile>;
  /** What was damaged and how, for the report. */
  readonly mutation: string;
}

/** A seeded stream of choices. */
class Rng {
  private readonly next: () => number;
  readonly normal: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
    this.normal = normalFrom(this.next);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

const text = (s: string) => new TextEncoder().encode(s);

/** Numbers that break arithmetic or parsing, spliced into data and text. */
const NASTY_NUMBERS = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e300,
  -1e300,
  1e-310,
  0,
  -0,
];
const NASTY_TEXT = [
  'nan',
  'NaN',
  'inf',
  '-inf',
  '1e300',
  '0.5',
  '-1',
  '99999999999',
  '',
  ' ',
  'cat',
  '2.0',
  '1e3',
  '0x10',
  '"',
  ',',
  '\u0000',
  '\uFEFF',
  '💥',
];
const NASTY_JSON: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e-320,
  0.5,
  '',
  'NaN',
  'Infinity',
  '__proto__',
  'x'.repeat(300),
  [],
  {},
  [1, 2],
  { a: 1 },
  'logme',
  'nope',
];

/** One task's valid data: N samples, C classes, a few models of D features. */
interface Task {
  readonly n: number;
  readonly classes: number;
  readonly labels: number[];
  readonly models: Record<string, Float32Array>;
  readonly d: number;
}

function makeTask(rng: Rng): Task {
  const classes = 2 + rng.int(3);
  const n = classes * (6 + rng.int(8));
  const d = 2 + rng.int(7);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const models: Record<string, Float32Array> = {};
  for (const [k, name] of ['alpha', 'beta', 'gamma'].entries()) {
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j % classes === labels[i] ? k + 0.5 : 0);
    }
    models[name] = x;
  }
  return { n, classes, labels, models, d };
}

const matrix = (data: Float32Array, rows: number, cols: number): Tensor => ({
  dtype: 'float32',
  shape: [rows, cols],
  data,
});

/** A valid array file of one of the three formats holding `t` (and for .npz, a second array). */
function arrayFile(rng: Rng, t: Tensor, ext: 'npy' | 'npz' | 'safetensors', name = 'features'): Uint8Array {
  if (ext === 'npy') {
    const t64: Tensor = rng.chance(0.3)
      ? { ...t, dtype: 'float64', data: Float64Array.from(t.data as Float32Array) }
      : t;
    return encodeNpy(t64, {
      version: rng.pick([1, 1, 2, 3] as const),
      fortranOrder: rng.chance(0.2),
      byteOrder: rng.chance(0.2) ? 'big' : 'little',
    });
  }
  if (ext === 'npz') return encodeNpz({ [name]: t }, { compress: rng.chance(0.5) });
  return encodeSafetensors({ [name]: t }, rng.chance(0.3) ? { format: 'pt' } : undefined);
}

/** Labels as one of the label file formats. */
function labelFile(rng: Rng, labels: number[]): { ext: string; bytes: Uint8Array } {
  const kind = rng.pick(['npy', 'txt', 'csv', 'json', 'savetxt'] as const);
  if (kind === 'npy') {
    return {
      ext: 'npy',
      bytes: encodeNpy({
        dtype: 'int64',
        shape: [labels.length],
        data: BigInt64Array.from(labels.map(BigInt)),
      }),
    };
  }
  if (kind === 'txt') return { ext: 'txt', bytes: text(`${labels.join('\n')}\n`) };
  if (kind === 'savetxt')
    return { ext: 'txt', bytes: text(`${labels.map((v) => v.toExponential(18)).join('\n')}\n`) };
  if (kind === 'csv') return { ext: 'csv', bytes: text(`label\n${labels.join('\n')}\n`) };
  return { ext: 'json', bytes: text(JSON.stringify(labels)) };
}

/** A byte-level mutation: flipped bytes (in the header or anywhere), a cut, an insertion, a deletion. */
function mutateBytes(rng: Rng, src: Uint8Array): { bytes: Uint8Array; how: string } {
  const out = src.slice();
  const header = Math.min(src.length, 160);
  switch (rng.int(6)) {
    case 0:
      for (let k = 1 + rng.int(4); k > 0 && out.length > 0; k--)
        out[rng.int(Math.max(1, header))] = rng.int(256);
      return { bytes: out, how: 'header bytes flipped' };
    case 1:
      for (let k = 1 + rng.int(8); k > 0 && out.length > 0; k--) out[rng.int(out.length)] = rng.int(256);
      return { bytes: out, how: 'bytes flipped' };
    case 2:
      return { bytes: out.subarray(0, rng.int(out.length + 1)), how: 'truncated' };
    case 3: {
      const at = rng.int(out.length + 1);
      const extra = Uint8Array.from({ length: 1 + rng.int(24) }, () => rng.int(256));
      return {
        bytes: Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]),
        how: 'bytes inserted',
      };
    }
    case 4: {
      const at = rng.int(out.length + 1);
      return {
        bytes: Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + rng.int(24))]),
        how: 'bytes deleted',
      };
    }
    default: {
      // a number or a grammar character spliced into the header text
      const at = rng.int(Math.max(1, header));
      const piece = text(
        rng.pick([
          '(',
          ')',
          ',',
          "'",
          ':',
          '{',
          '}',
          '<f4',
          '>f8',
          '|b1',
          'True',
          String(2 ** (20 + rng.int(40))),
          '-1',
          '0',
        ]),
      );
      return {
        bytes: Uint8Array.from([...out.subarray(0, at), ...piece, ...out.subarray(at + rng.int(3))]),
        how: 'header text spliced',
      };
    }
  }
}

/** A value-level mutation of a feature matrix: NaN, ±Infinity, huge, tiny or constant values. */
function mutateValues(rng: Rng, x: Float32Array, d: number): { data: Float32Array; how: string } {
  const out = x.slice();
  const kind = rng.int(4);
  if (kind === 0) {
    const v = rng.pick(NASTY_NUMBERS);
    for (let k = 1 + rng.int(3); k > 0; k--) out[rng.int(out.length)] = v;
    return { data: out, how: `value ${v} written` };
  }
  if (kind === 1) {
    out.fill(rng.pick([0, 1, 1e30]));
    return { data: out, how: 'constant features' };
  }
  if (kind === 2) {
    const j = rng.int(d);
    for (let i = j; i < out.length; i += d) out[i] = 1e38;
    return { data: out, how: 'one column at 1e38' };
  }
  for (let i = 0; i < out.length; i++) out[i] *= 1e-38;
  return { data: out, how: 'values scaled to 1e-38' };
}

/** A text-level mutation of a label file: a line replaced, added or removed. */
function mutateText(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; how: string } {
  const lines = new TextDecoder().decode(bytes).split('\n');
  const at = rng.int(lines.length);
  const piece = rng.pick(NASTY_TEXT);
  const kind = rng.int(3);
  if (kind === 0) lines[at] = piece;
  else if (kind === 1) lines.splice(at, 0, piece);
  else lines.splice(at, 1 + rng.int(3));
  return {
    bytes: text(lines.join(rng.chance(0.1) ? '\r\n' : '\n')),
    how: `line ${at + 1} ${['replaced by', 'inserted:', 'deleted'][kind]} ${kind < 2 ? JSON.stringify(piece) : ''}`.trim(),
  };
}

/** A JSON-level mutation: a value replaced by a nasty one, a key dropped or added, or text cut. */
function mutateJson(
  rng: Rng,
  value: unknown,
  keep: readonly string[] = [],
): { bytes: Uint8Array; how: string } {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length > 0 && !keep.includes(String(path[path.length - 1]))) paths.push(path);
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, [...path, i]);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(copy, []);
  const kind = rng.int(5);
  if (kind === 4 || paths.length === 0) {
    const s = JSON.stringify(copy);
    return { bytes: text(s.slice(0, rng.int(s.length))), how: 'JSON text cut' };
  }
  const path = rng.pick(paths);
  let parent = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  let how: string;
  if (kind <= 1) {
    const v = rng.pick(NASTY_JSON);
    parent[last] = v;
    how = `${path.join('.')} = ${JSON.stringify(v)}`;
  } else if (kind === 2 && !Array.isArray(parent)) {
    delete parent[last];
    how = `${path.join('.')} removed`;
  } else {
    const key = rng.pick(['__proto__', 'constructor', 'extra', 'toString', String(last)]);
    let s = JSON.stringify(copy);
    // a raw key (also __proto__ and duplicates, which JSON.stringify cannot write) in the first object
    const brace = s.indexOf('{');
    if (brace >= 0)
      s = `${s.slice(0, brace + 1)}${JSON.stringify(key)}:${JSON.stringify(rng.pick(NASTY_JSON))},${s.slice(brace + 1)}`;
    return { bytes: text(s), how: `key ${JSON.stringify(key)} added` };
  }
  const s = JSON.stringify(copy);
  return { bytes: text(s.replace(/"(NaN|Infinity)"/g, rng.chance(0.5) ? '$1' : '"$1"')), how };
}

const METRICS = ['logme', 'sfda', 'hscore', 'transrate', 'gbc', 'parc', 'nleep', 'emms', 'leep', 'nce'];

/**
 * Fuzz input `id` of seed `seed`: a command (round robin over {@link FUZZ_COMMANDS}), its files
 * (one of them damaged) and its command line.
 */
export function makeFuzzInput(seed: number, id: number): FuzzInput {
  const rng = new Rng(((seed >>> 0) * 0x9e3779b1 + id * 0x85ebca6b) >>> 0);
  const command = FUZZ_COMMANDS[id % FUZZ_COMMANDS.length];
  const task = makeTask(rng);
  const files = new Map<string, FuzzFile>();
  const json = ['--format', 'json'];
  const format = () => (rng.chance(0.6) ? json : ['--format', rng.pick(['table', 'csv'])]);
  const feats = (name: string) => matrix(task.models[name], task.n, task.d);
  let mutation = 'none';

  /** Damages the file at `path` in a way that suits its kind. */
  const damage = (path: string, kind: 'array' | 'labels' | 'json', model?: string) => {
    if (rng.chance(0.04)) {
      files.set(path, rng.pick(['fifo', 'folder'] as const));
      mutation = `${path} is a ${files.get(path)}`;
      return;
    }
    const bytes = files.get(path) as Uint8Array;
    let r: { bytes: Uint8Array; how: string };
    if (kind === 'array' && model && rng.chance(0.4)) {
      const v = mutateValues(rng, task.models[model], task.d);
      const ext = path.slice(path.lastIndexOf('.') + 1) as 'npy' | 'npz' | 'safetensors';
      r = { bytes: arrayFile(rng, matrix(v.data, task.n, task.d), ext), how: v.how };
    } else if (kind === 'labels' && !path.endsWith('.npy') && rng.chance(0.7)) r = mutateText(rng, bytes);
    else r = mutateBytes(rng, bytes);
    files.set(path, r.bytes);
    mutation = `${path}: ${r.how}`;
  };

  if (command === 'inspect') {
    const ext = rng.pick(['npy', 'npz', 'safetensors'] as const);
    const path = `x.${ext}`;
    files.set(path, arrayFile(rng, feats('alpha'), ext));
    damage(path, 'array', 'alpha');
    return { id, command, argv: ['inspect', path, ...format()], files, mutation };
  }

  if (command === 'score') {
    const ext = rng.pick(['npy', 'npy', 'npz', 'safetensors'] as const);
    const x = `features.${ext}`;
    files.set(x, arrayFile(rng, feats('alpha'), ext));
    const y = labelFile(rng, task.labels);
    const yPath = `labels.${y.ext}`;
    files.set(yPath, y.bytes);
    const ids = [...new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.pick(METRICS)))];
    const argv = ['score', '--features', x, '--labels', yPath, '--metrics', ids.join(',')];
    if (ids.includes('emms') && rng.chance(0.7)) {
      files.set('z.npy', encodeNpy(matrix(task.models.beta, task.n, task.d)));
      argv.push('--flabels', 'z.npy');
    }
    if (ids.some((m) => m === 'leep' || m === 'nce')) {
      const p = new Float32Array(task.n * task.classes);
      for (let i = 0; i < task.n; i++)
        for (let c = 0; c < task.classes; c++) p[i * task.classes + c] = 1 / task.classes;
      files.set('p.npy', encodeNpy(matrix(p, task.n, task.classes)));
      argv.push('--probs', 'p.npy');
    }
    if (rng.chance(0.3)) argv.push('--preset', 'rank');
    const target = rng.int(10);
    if (target < 5) damage(x, 'array', 'alpha');
    else if (target < 9) damage(yPath, 'labels');
    else if (files.has('z.npy')) damage('z.npy', 'array', 'beta');
    else damage(x, 'array', 'alpha');
    return { id, command, argv: [...argv, ...format()], files, mutation };
  }

  if (command === 'rank' || command === 'bench') {
    for (const name of Object.keys(task.models)) files.set(`feats/${name}.npy`, encodeNpy(feats(name)));
    const y = labelFile(rng, task.labels);
    const yPath = `feats/labels.${y.ext}`;
    files.set(yPath, y.bytes);
    const ids = [
      ...new Set(
        Array.from({ length: 1 + rng.int(3) }, () =>
          rng.pick(['logme', 'hscore', 'sfda', 'transrate', 'gbc', 'emms']),
        ),
      ),
    ];
    if (command === 'rank') {
      const model = rng.pick(Object.keys(task.models));
      if (rng.chance(0.7)) damage(`feats/${model}.npy`, 'array', model);
      else damage(yPath, 'labels');
      const argv = ['rank', '--features-dir', 'feats', '--labels', yPath, '--metrics', ids.join(',')];
      if (rng.chance(0.3)) argv.push('--preset', 'published');
      return { id, command, argv: [...argv, ...format()], files, mutation };
    }
    const truth = { t: Object.fromEntries(Object.keys(task.models).map((m, i) => [m, 0.5 + i / 10])) };
    files.set('truth.json', text(JSON.stringify(truth)));
    const spec = {
      tasks: [{ id: 't', featuresDir: 'feats', labels: yPath, flabels: [] as string[] }],
      scores: ids,
      preset: rng.pick(['rank', 'published']),
      groundTruth: { table: 'truth.json', dataset: 't' },
      out: 'out',
      cache: false,
    };
    files.set('spec.json', text(JSON.stringify(spec)));
    const target = rng.int(10);
    if (target < 6 && rng.chance(0.9)) {
      // out and cache stay as they are: the fuzzer writes nowhere but its own folder
      const r = mutateJson(rng, spec, ['out', 'cache']);
      files.set('spec.json', r.bytes);
      mutation = `spec.json: ${r.how}`;
    } else if (target < 6) damage('spec.json', 'json');
    else if (target < 8) {
      const model = rng.pick(Object.keys(task.models));
      damage(`feats/${model}.npy`, 'array', model);
    } else damage(rng.chance(0.5) ? 'truth.json' : yPath, 'labels');
    return { id, command, argv: ['bench', '--spec', 'spec.json'], files, mutation };
  }

  // agreement: two {model: value} tables (JSON or CSV)
  const models = Array.from({ length: 3 + rng.int(4) }, (_, i) => `m${i}`);
  const scores = Object.fromEntries(models.map((m) => [m, rng.normal()]));
  const truth = Object.fromEntries(models.map((m) => [m, rng.normal()]));
  const csv = rng.chance(0.25);
  const tableFile = (t: Record<string, number>) =>
    csv
      ? text(
          `model,value\n${Object.entries(t)
            .map(([k, v]) => `${k},${v}`)
            .join('\n')}\n`,
        )
      : text(JSON.stringify(t));
  const [s, t] = csv ? ['scores.csv', 'truth.csv'] : ['scores.json', 'truth.json'];
  files.set(s, tableFile(scores));
  files.set(t, tableFile(truth));
  const target = rng.chance(0.5) ? s : t;
  if (csv) damage(target, 'labels');
  else if (rng.chance(0.04)) damage(target, 'json');
  else {
    const r = mutateJson(rng, target === s ? scores : truth);
    files.set(target, r.bytes);
    mutation = `${target}: ${r.how}`;
  }
  const argv = ['agreement', '--scores', s, '--truth', t, ...format()];
  if (rng.chance(0.2)) argv.push('--lower-is-better');
  return { id, command, argv, files, mutation };
}
