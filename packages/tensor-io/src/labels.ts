import { EmmsError } from './errors';

/**
 * Labels read from a text format. Integer labels are taken as class indices. Name labels are
 * mapped to indices: by the given class-name list when one is passed, else by the sorted list of
 * distinct names (sorted by code unit, so the mapping does not depend on sample order; the same
 * order torchvision's ImageFolder and sklearn's LabelEncoder use). `classNames[i]` names class i.
 */
export interface ParsedLabels {
  readonly labels: Int32Array;
  /** Present when the labels were names. */
  readonly classNames?: string[];
}

/** Options shared by the label text parsers. */
export interface LabelsTextOptions {
  /**
   * Map name labels to these classes (line i = class i) instead of the sorted distinct names;
   * a name not in the list is an error.
   */
  classNames?: readonly string[];
}

const INT = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;

/**
 * True for a class index written as a number: an integer ('3'), or a number whose value is whole
 * ('3.0', '0.000000000000000000e+00' as np.savetxt writes labels). '0.5', 'nan' and 'inf' are not.
 */
function isWhole(v: string): boolean {
  return INT.test(v) || (NUMBER.test(v) && Number.isInteger(Number(v)));
}

function parseError(source: string, message: string, details?: Record<string, unknown>): never {
  throw new EmmsError('LABELS_PARSE', `${source}: ${message}`, { input: source, details });
}

/** Splits text into lines, dropping a BOM, '\r' line ends and trailing blank lines. */
function lines(text: string): string[] {
  const out = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < out.length; i++) if (out[i].endsWith('\r')) out[i] = out[i].slice(0, -1);
  while (out.length > 0 && out[out.length - 1].trim() === '') out.pop();
  return out;
}

/**
 * Turns label strings into labels. All whole numbers (integers, or floats with a whole value as
 * np.savetxt writes them): class indices. All names: mapped to classes. Numbers that are not
 * whole: LABEL_NOT_INTEGER. A mix of numbers and names: LABELS_PARSE.
 * `where(i)` describes item i for messages ("line 3").
 */
function fromStrings(
  values: string[],
  source: string,
  where: (i: number) => string,
  opts: LabelsTextOptions,
): ParsedLabels {
  if (values.length === 0) parseError(source, 'holds no labels.');
  let firstInt = -1;
  let firstName = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === '') parseError(source, `${where(i)} is empty; every sample needs a label.`, { index: i });
    if (isWhole(v)) {
      if (firstInt < 0) firstInt = i;
    } else if (NUMBER.test(v)) {
      throw new EmmsError(
        'LABEL_NOT_INTEGER',
        `${source}: ${where(i)} is '${v}', a number that is not a whole class index; labels must be class ` +
          'indices 0, 1, 2, … (whole values written as floats, such as 2.0 or 2.000000000000000000e+00, are fine).',
        { input: source, details: { index: i, value: v } },
      );
    } else if (firstName < 0) firstName = i;
  }
  if (firstName < 0) {
    const labels = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const n = Number(values[i]);
      if (n < -2147483648 || n > 2147483647) {
        throw new EmmsError(
          'LABEL_OUT_OF_RANGE',
          `${source}: ${where(i)} is ${values[i]}, outside the int32 range.`,
          {
            input: source,
            details: { index: i },
          },
        );
      }
      labels[i] = n;
    }
    return { labels };
  }
  if (firstInt >= 0) {
    parseError(
      source,
      `mixes class indices and class names (${where(firstInt)} is '${values[firstInt]}', ` +
        `${where(firstName)} is '${values[firstName]}'). Use one or the other throughout.`,
    );
  }
  return namesToLabels(values, source, where, opts.classNames);
}

function namesToLabels(
  values: string[],
  source: string,
  where: (i: number) => string,
  given: readonly string[] | undefined,
): ParsedLabels {
  let classNames: string[];
  if (given) {
    classNames = [...given];
  } else {
    classNames = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const index = new Map<string, number>();
  const duplicates = new Set<string>();
  classNames.forEach((name, i) => {
    if (index.has(name)) duplicates.add(name);
    else index.set(name, i);
  });
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = index.get(values[i]);
    if (k === undefined) {
      parseError(source, `${where(i)} is '${values[i]}', which is not in the class-name list.`, { index: i });
    }
    if (duplicates.has(values[i])) {
      parseError(
        source,
        `${where(i)} is '${values[i]}', which names more than one class in the class-name list.`,
        {
          index: i,
        },
      );
    }
    labels[i] = k;
  }
  return { labels, classNames };
}

/**
 * Parses one label per line. Lines are trimmed; trailing blank lines are ignored, blank lines
 * elsewhere are an error. Lines holding whole numbers (3, 3.0, 3.000e+00 as np.savetxt writes them)
 * are class indices; otherwise every line is a class name
 * (see {@link ParsedLabels} for how names become indices).
 */
export function parseLabelsText(text: string, source = 'labels', opts: LabelsTextOptions = {}): ParsedLabels {
  const values = lines(text).map((l) => l.trim());
  return fromStrings(values, source, (i) => `line ${i + 1}`, opts);
}

/** Splits CSV text into rows of cells (RFC 4180: quotes, doubled quotes, CRLF). */
export function parseCsvRows(text: string, source = 'input'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
    } else cell += ch;
    i++;
  }
  if (quoted) parseError(source, `a quoted CSV cell opened before line ${line} is never closed.`);
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  while (rows.length > 0 && rows[rows.length - 1].every((c) => c.trim() === '')) rows.pop();
  return rows;
}

/** Options for {@link parseLabelsCsv}. */
export interface LabelsCsvOptions extends LabelsTextOptions {
  /**
   * Whether the first row is a header. Default: true when `column` is a name. When `column` is an
   * index, a first row whose cell is not an integer while every other row's is counts as a
   * header; when the column holds names and this is not given, the call is refused as ambiguous.
   */
  header?: boolean;
}

/**
 * Reads labels from one column of a CSV file, chosen by header name or by 0-based index. Cells
 * are trimmed; the values follow the rules of {@link parseLabelsText}.
 */
export function parseLabelsCsv(
  text: string,
  column: string | number,
  source = 'labels',
  opts: LabelsCsvOptions = {},
): ParsedLabels {
  const rows = parseCsvRows(text, source);
  if (rows.length === 0) parseError(source, 'the CSV file holds no rows.');
  let col: number;
  let header: boolean;
  if (typeof column === 'string') {
    if (opts.header === false) {
      throw new EmmsError('INVALID_OPTION', `${source}: a column named '${column}' needs a header row`, {
        input: source,
      });
    }
    header = true;
    const names = rows[0].map((c) => c.trim());
    col = names.indexOf(column);
    if (col < 0) {
      parseError(
        source,
        `has no column '${column}'; its header names ${names.map((n) => `'${n}'`).join(', ')}.`,
        {
          columns: names,
        },
      );
    }
  } else {
    if (!Number.isInteger(column) || column < 0) {
      throw new EmmsError(
        'INVALID_OPTION',
        `${source}: column index must be a non-negative integer, got ${column}`,
        {
          input: source,
        },
      );
    }
    col = column;
    const cellOf = (r: string[]) => (r[col] ?? '').trim();
    if (opts.header !== undefined) header = opts.header;
    else {
      const first = cellOf(rows[0]);
      const rest = rows.slice(1).map(cellOf);
      if (isWhole(first)) header = false;
      else if (rest.length > 0 && rest.every(isWhole)) header = true;
      else {
        parseError(
          source,
          `cannot tell whether the first row ('${first}') is a header. Name the column instead of giving its index, ` +
            'or say whether there is a header row.',
        );
      }
    }
  }
  const start = header ? 1 : 0;
  const values: string[] = [];
  for (let r = start; r < rows.length; r++) {
    if (col >= rows[r].length) {
      parseError(source, `row ${r + 1} has ${rows[r].length} cells, too few for column ${col + 1}.`, {
        row: r + 1,
      });
    }
    values.push(rows[r][col].trim());
  }
  return fromStrings(values, source, (i) => `row ${i + start + 1}`, opts);
}

/** Parses a JSON array of class indices or of class names (one kind throughout). */
export function parseLabelsJson(text: string, source = 'labels', opts: LabelsTextOptions = {}): ParsedLabels {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    parseError(source, `is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!Array.isArray(value)) parseError(source, 'must hold a JSON array of labels.');
  if (value.length === 0) parseError(source, 'holds no labels.');
  if (value.every((v) => typeof v === 'string')) {
    value.forEach((v, i) => {
      if (v === '') parseError(source, `item ${i} is an empty name.`, { index: i });
    });
    return namesToLabels(value as string[], source, (i) => `item ${i}`, opts.classNames);
  }
  const labels = new Int32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number') {
      parseError(source, `item ${i} is ${JSON.stringify(v)}; use all integers or all strings.`, { index: i });
    }
    if (!Number.isInteger(v)) {
      throw new EmmsError('LABEL_NOT_INTEGER', `${source}: item ${i} is ${v}, not a whole class index.`, {
        input: source,
        details: { index: i, value: v },
      });
    }
    if (v < -2147483648 || v > 2147483647) {
      throw new EmmsError('LABEL_OUT_OF_RANGE', `${source}: item ${i} is ${v}, outside the int32 range.`, {
        input: source,
        details: { index: i },
      });
    }
    labels[i] = v;
  }
  return { labels };
}

/**
 * Parses a class-name list: one name per line, line i names class i. Names are trimmed; trailing
 * blank lines are ignored; an empty name elsewhere is an error. Duplicate names are allowed (some
 * datasets have them, e.g. ImageNet's two "crane" classes).
 */
export function parseClassNames(text: string, source = 'class names'): string[] {
  const names = lines(text).map((l) => l.trim());
  if (names.length === 0) parseError(source, 'holds no class names.');
  names.forEach((n, i) => {
    if (n === '') parseError(source, `line ${i + 1} is empty; every class needs a name.`, { line: i + 1 });
  });
  return names;
}
