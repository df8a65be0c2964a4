// What a fuzz run must never do: crash, hang, print a stack trace, exit with a code other than
// 0/1/2, or exit 0 while printing a number that is not finite.
import type { FuzzCommand } from './inputs';

/** How one run ended: the three good outcomes, then the failures. */
export type FuzzOutcome =
  | 'ok'
  | 'bad-input'
  | 'usage'
  | 'crash'
  | 'hang'
  | 'stack-trace'
  | 'bad-exit'
  | 'non-finite'
  | 'bad-json';

/** The outcomes that are failures of the fuzz pass. */
export const FAILURES: readonly FuzzOutcome[] = [
  'crash',
  'hang',
  'stack-trace',
  'bad-exit',
  'non-finite',
  'bad-json',
];

/** What a run printed and returned (code null: it did not finish in time). */
export interface FuzzRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A line of a V8 stack trace: "    at fn (file.js:12:3)" or "    at file.js:12:3". */
const STACK_LINE = /^\s+at (?:.+ \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\).*:\d+(?::\d+)?\)?$/m;
/** What the CLI prints for an error that is not a typed one. */
const UNEXPECTED = /unexpected error|This is a bug in emms/;
/** A non-finite number as the table and CSV renderers print it. */
const NON_FINITE_TEXT = /(^|[\s,(])(-?Inf(inity)?|NaN)(?=$|[\s,)])/gm;

/** JSON paths where null is documented (inspect: min/max/mean over no finite value). */
function nullAllowed(command: FuzzCommand, path: string): boolean {
  return command === 'inspect' && /(^|\.)(min|max|mean)$/.test(path);
}

/** Paths of the null values in `value` (JSON has no NaN: the CLI writes it as null). */
function nulls(value: unknown, path = ''): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulls(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value as object).flatMap(([k, v]) => nulls(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/**
 * Judges one run of `argv`. `echoed` holds the words "NaN", "Inf"… that the input's own files
 * hold as text (a task or model named "NaN" is printed back as a name, not as a number).
 *
 * @returns the outcome and, for a failure, why.
 */
export function judge(
  command: FuzzCommand,
  argv: readonly string[],
  run: FuzzRun,
  echoed: ReadonlySet<string> = new Set(),
): { outcome: FuzzOutcome; why?: string } {
  if (run.code === null) return { outcome: 'hang', why: 'did not finish in time' };
  const all = `${run.stdout}\n${run.stderr}`;
  if (STACK_LINE.test(all)) return { outcome: 'stack-trace', why: STACK_LINE.exec(all)?.[0].trim() };
  if (UNEXPECTED.test(run.stderr)) return { outcome: 'crash', why: run.stderr.split('\n')[0] };
  if (run.code !== 0 && run.code !== 1 && run.code !== 2) {
    return { outcome: 'bad-exit', why: `exit ${run.code}: ${run.stderr.split('\n')[0]}` };
  }
  if (run.code === 2) return { outcome: 'usage' };
  if (run.code === 1) return { outcome: 'bad-input' };
  const json = argv.includes('json') && argv[argv.indexOf('json') - 1] === '--format';
  if (json) {
    let value: unknown;
    try {
      value = JSON.parse(run.stdout);
    } catch (e) {
      return { outcome: 'bad-json', why: (e as Error).message };
    }
    const bad = nulls(value).filter((p) => !nullAllowed(command, p));
    if (bad.length > 0)
      return { outcome: 'non-finite', why: `null (a NaN or ±Infinity) at ${bad.slice(0, 3).join(', ')}` };
  } else {
    const printed = [...run.stdout.matchAll(NON_FINITE_TEXT)].map((m) => m[2]).find((w) => !echoed.has(w));
    if (printed !== undefined) return { outcome: 'non-finite', why: `printed ${printed}` };
  }
  return { outcome: 'ok' };
}

/** The words of {@link NON_FINITE_TEXT} that `texts` hold anywhere, quoted too (see {@link judge}'s `echoed`). */
export function nonFiniteWords(texts: readonly string[]): Set<string> {
  return new Set(texts.flatMap((t) => [...t.matchAll(/\b(-?Inf(?:inity)?|NaN)\b/g)].map((m) => m[1])));
}
