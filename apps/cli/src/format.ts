import type { CliOption } from './command';

/** The output formats of commands that print data. */
export type OutputFormat = 'table' | 'json' | 'csv';

/** The `--format` option shared by every command that prints data. */
export const formatOption: CliOption = {
  name: 'format',
  type: 'string',
  value: 'FORMAT',
  default: 'table',
  choices: ['table', 'json', 'csv'],
  description: 'Output: table (aligned columns for people), json (one object) or csv.',
};

/** A cell of a table or CSV row. */
export type Cell = string | number | boolean | null | undefined;

/** A number as people read it in a table: integers whole, others to 7 significant digits. */
export function humanNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return x.toExponential(6).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(7)));
}

function cellText(c: Cell, forPeople: boolean): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return forPeople ? humanNumber(c) : String(c);
  return String(c);
}

/**
 * Aligned columns with a header line: text columns left-aligned, columns holding only numbers
 * right-aligned. Ends with a newline.
 */
export function renderTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => columns.map((_, j) => cellText(r[j], true)));
  const numeric = columns.map((_, j) =>
    rows.every((r) => r[j] === null || r[j] === undefined || typeof r[j] === 'number'),
  );
  const widths = columns.map((h, j) => Math.max(h.length, ...text.map((r) => r[j].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(columns), ...text.map(line)].join('\n') + '\n';
}

/** RFC 4180 CSV with a header row; numbers at full precision. Ends with a newline. */
export function renderCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const line = (cells: readonly string[]) => cells.map(quote).join(',');
  return (
    [line(columns), ...rows.map((r) => line(columns.map((_, j) => cellText(r[j], false))))].join('\n') + '\n'
  );
}

/** Table or CSV, as `format` asks (json is handled by the caller with {@link renderJson}). */
export function renderRows(
  format: 'table' | 'csv',
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  return format === 'csv' ? renderCsv(columns, rows) : renderTable(columns, rows);
}

/**
 * Pretty JSON with a trailing newline. Typed arrays become plain arrays, bigints numbers,
 * Maps objects; NaN and ±Infinity become null (JSON has no spelling for them).
 */
export function renderJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_key, v: unknown) => {
        if (typeof v === 'bigint') return Number(v);
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
          return Array.from(v as unknown as ArrayLike<number | bigint>, (x) =>
            typeof x === 'bigint' ? Number(x) : x,
          );
        }
        if (v instanceof Map) return Object.fromEntries(v);
        return v;
      },
      2,
    ) + '\n'
  );
}
