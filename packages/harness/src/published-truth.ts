// Published ground truth shipped as data, and the parser of user truth tables (browser-safe: no
// Node imports; the JSON is bundled, and the same files ship under packages/harness/data).
import { didYouMeanText, EmmsError } from '@emms/tensor-io';
import captioning from '../data/captioning.json';
import cnn from '../data/classification-cnn.json';
import ssl from '../data/classification-ssl.json';
import vit from '../data/classification-vit.json';
import { TRUTH_CODES } from './truth-codes';

/** Ground truth per dataset: `{ dataset: { model: value } }`, higher is better. */
export type TruthTable = Record<string, Record<string, number>>;

/** Ids of the published tables. */
export type PublishedTruthId = 'paper-cnn' | 'paper-vit' | 'paper-ssl' | 'paper-caption';

/** A published ground-truth table with what it measures and where it comes from. */
export interface PublishedTruth {
  readonly id: PublishedTruthId;
  /** File name under packages/harness/data. */
  readonly file: string;
  readonly description: string;
  /** What the values are. */
  readonly unit: string;
  readonly source: string;
  /** `{ dataset: { model: value } }`. */
  readonly table: TruthTable;
  /**
   * Mean weighted τ over the datasets that published baselines reached on this table, when known
   * (score id → τ), for printing beside ours.
   */
  readonly publishedMeanWeightedTau?: Readonly<Record<string, number>>;
}

const PUBLISHED: Readonly<Record<PublishedTruthId, PublishedTruth>> = {
  'paper-cnn': {
    id: 'paper-cnn',
    file: 'classification-cnn.json',
    description: 'Fine-tuning accuracy of 11 ImageNet CNNs on 11 image-classification datasets',
    unit: 'top-1 accuracy, %',
    source: 'published with the EMMS code; the same table as the SFDA benchmark',
    table: cnn,
    publishedMeanWeightedTau: { leep: 0.41, logme: 0.51, parc: 0.468, nleep: 0.612, sfda: 0.71 },
  },
  'paper-vit': {
    id: 'paper-vit',
    file: 'classification-vit.json',
    description: 'Fine-tuning accuracy of 13 vision transformers on 11 image-classification datasets',
    unit: 'top-1 accuracy, %',
    source: 'published with the EMMS code',
    table: vit,
  },
  'paper-ssl': {
    id: 'paper-ssl',
    file: 'classification-ssl.json',
    description: 'Fine-tuning accuracy of 12 self-supervised ResNet-50s on 11 image-classification datasets',
    unit: 'top-1 accuracy, %',
    source: 'published with the EMMS code; the SFDA benchmark',
    table: ssl,
  },
  'paper-caption': {
    id: 'paper-caption',
    file: 'captioning.json',
    description: 'Caption score of 9 encoder-decoder models fine-tuned on 5 captioning datasets',
    unit: 'caption score in [0, 1] (probably BLEU-4)',
    source: 'published with the EMMS code',
    table: captioning,
  },
};

/** The ids of the published tables, in a stable order. */
export const PUBLISHED_TRUTH_IDS: readonly PublishedTruthId[] = [
  'paper-cnn',
  'paper-vit',
  'paper-ssl',
  'paper-caption',
];

/**
 * A published ground-truth table shipped with the package (`paper-cnn`, `paper-vit`, `paper-ssl`,
 * `paper-caption`): fine-tuning results released with the EMMS code, in `{dataset: {model: value}}`
 * form.
 *
 * @param id - one of {@link PUBLISHED_TRUTH_IDS}.
 * @returns {@link PublishedTruth} with its `table`, unit, source and (paper-cnn) the published
 *   baselines' mean weighted τ.
 * @throws EmmsError `UNKNOWN_TRUTH_TABLE` for another id (the message lists the known ones).
 * @example
 * ```ts
 * const cnn = publishedTruth('paper-cnn');
 * cnn.table.cifar10.resnet50; // 96.39
 * ```
 */
export function publishedTruth(id: string): PublishedTruth {
  if (!Object.hasOwn(PUBLISHED, id)) {
    throw new EmmsError(
      TRUTH_CODES.UNKNOWN_TRUTH_TABLE,
      `no published ground-truth table "${id}"${didYouMeanText(id, PUBLISHED_TRUTH_IDS)} Known: ${PUBLISHED_TRUTH_IDS.join(', ')}`,
      { input: 'id', details: { known: PUBLISHED_TRUTH_IDS } },
    );
  }
  return PUBLISHED[id as PublishedTruthId];
}

/**
 * The `{model: value}` ground truth of one dataset of a table.
 *
 * @param table - a {@link TruthTable}.
 * @param dataset - the dataset; may be left out when the table has exactly one.
 * @param source - the table's name for messages (a file path or an id).
 * @returns model → value.
 * @throws EmmsError `TRUTH_TABLE_INVALID` naming the datasets the table has.
 * @example
 * ```ts
 * truthForDataset(publishedTruth('paper-cnn').table, 'pets'); // { resnet34: 92.15, … }
 * ```
 */
export function truthForDataset(
  table: TruthTable,
  dataset?: string,
  source = 'truth',
): Record<string, number> {
  const names = Object.keys(table);
  if (dataset === undefined) {
    if (names.length === 1) return table[names[0]];
    throw new EmmsError(
      TRUTH_CODES.TRUTH_TABLE_INVALID,
      `${source}: the table holds ${names.length} datasets (${names.join(', ')}); name the one to use with the dataset argument`,
      { input: source, details: { datasets: names } },
    );
  }
  if (!Object.hasOwn(table, dataset)) {
    throw new EmmsError(
      TRUTH_CODES.TRUTH_TABLE_INVALID,
      `${source}: no dataset "${dataset}"; the table holds ${names.join(', ')}`,
      { input: source, details: { datasets: names } },
    );
  }
  return table[dataset];
}

/** Options of {@link parseTruthTable}. */
export interface ParseTruthOptions {
  /** 'json' or 'csv'; by default from the source's extension, else from the first character. */
  readonly format?: 'json' | 'csv';
  /** Dataset name given to a flat `{model: value}` table or a two-column CSV (default 'default'). */
  readonly dataset?: string;
}

function invalid(source: string, message: string, details: Record<string, unknown> = {}): EmmsError {
  return new EmmsError(TRUTH_CODES.TRUTH_TABLE_INVALID, `${source}: ${message}`, { input: source, details });
}

/**
 * Finds the first object key that appears twice in the same JSON object (JSON.parse keeps only the
 * last one silently). Returns the key path or null. Assumes `text` is valid JSON.
 */
function duplicateJsonKey(text: string): string[] | null {
  const stack: { keys: Set<string>; path: string[]; isObject: boolean; pending?: string }[] = [];
  let i = 0;
  let lastString: string | null = null;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = JSON.parse(text.slice(i, j + 1)) as string;
      i = j + 1;
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === ':' && top?.isObject && lastString !== null) {
      if (top.keys.has(lastString)) return [...top.path, lastString];
      top.keys.add(lastString);
      top.pending = lastString;
    } else if (ch === '{' || ch === '[') {
      const path = top
        ? [...top.path, ...(top.isObject && top.pending !== undefined ? [top.pending] : [])]
        : [];
      stack.push({ keys: new Set(), path, isObject: ch === '{' });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    }
    if (ch !== ':' && !/\s/.test(ch)) lastString = null;
    i++;
  }
  return null;
}

function checkValue(source: string, where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw invalid(
      source,
      `${where} is ${JSON.stringify(v)}; every ground-truth value must be a finite number`,
      {
        row: where,
      },
    );
  }
  return v;
}

function parseJsonTable(text: string, source: string, dataset: string): TruthTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw invalid(
      source,
      `not valid JSON (${(e as Error).message}); give {dataset: {model: value}} or {model: value}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(source, 'the top level must be an object: {dataset: {model: value}} or {model: value}');
  }
  const dup = duplicateJsonKey(text);
  if (dup) {
    throw new EmmsError(
      TRUTH_CODES.DUPLICATE_MODEL,
      `${source}: "${dup.join('" → "')}" appears twice; give each model once per dataset`,
      { input: source, details: { key: dup } },
    );
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw invalid(source, 'the table is empty');
  const nested = entries.every(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v));
  // Maps while reading, then own properties: a model or dataset may be named "__proto__".
  if (!nested) {
    const flat = new Map<string, number>();
    for (const [model, v] of entries) flat.set(model, checkValue(source, `model "${model}"`, v));
    return Object.fromEntries([[dataset, Object.fromEntries(flat)]]);
  }
  const table = new Map<string, Record<string, number>>();
  for (const [name, models] of entries) {
    const row = new Map<string, number>();
    for (const [model, v] of Object.entries(models as Record<string, unknown>)) {
      row.set(model, checkValue(source, `dataset "${name}", model "${model}"`, v));
    }
    if (row.size === 0) throw invalid(source, `dataset "${name}" has no models`);
    table.set(name, Object.fromEntries(row));
  }
  return Object.fromEntries(table);
}

/** Splits one CSV line (RFC 4180 quotes, no embedded newlines). */
function csvFields(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      if (i < line.length && line[i] !== ',') return null;
      out.push(value);
      i++;
    } else {
      const end = line.indexOf(',', i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop).trim());
      i = stop + 1;
    }
  }
  return out;
}

function parseCsvTable(text: string, source: string, dataset: string): TruthTable {
  const lines = text.split(/\r?\n/);
  const table = new Map<string, Map<string, number>>();
  let width = 0;
  let dataRows = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const row = `line ${k + 1}`;
    const fields = csvFields(line);
    if (fields === null) throw invalid(source, `${row}: unbalanced quotes`, { line: k + 1 });
    if (fields.length !== 2 && fields.length !== 3) {
      throw invalid(
        source,
        `${row} has ${fields.length} fields; give model,value or dataset,model,value on every line`,
        { line: k + 1 },
      );
    }
    const last = fields[fields.length - 1];
    const value = last === '' ? Number.NaN : Number(last);
    if (width === 0 && dataRows === 0 && !Number.isFinite(value)) {
      width = fields.length; // a header line
      continue;
    }
    if (width === 0) width = fields.length;
    if (fields.length !== width) {
      throw invalid(source, `${row} has ${fields.length} fields but earlier lines have ${width}`, {
        line: k + 1,
      });
    }
    if (!Number.isFinite(value)) {
      throw invalid(source, `${row}: the value "${last}" is not a finite number`, { line: k + 1 });
    }
    const [name, model] = width === 3 ? [fields[0], fields[1]] : [dataset, fields[0]];
    if (model === '') throw invalid(source, `${row}: the model name is empty`, { line: k + 1 });
    const models = table.get(name) ?? new Map<string, number>();
    table.set(name, models);
    if (models.has(model)) {
      throw new EmmsError(
        TRUTH_CODES.DUPLICATE_MODEL,
        `${source}: ${row} repeats model "${model}"${width === 3 ? ` of dataset "${name}"` : ''}; give each model once`,
        { input: source, details: { line: k + 1, model, dataset: name } },
      );
    }
    models.set(model, value);
    dataRows++;
  }
  if (dataRows === 0) throw invalid(source, 'no data rows; give model,value or dataset,model,value lines');
  return Object.fromEntries([...table].map(([name, row]) => [name, Object.fromEntries(row)]));
}

/**
 * Parses a user ground-truth table from text: JSON `{dataset: {model: value}}` or `{model: value}`,
 * or CSV with lines `model,value` or `dataset,model,value` (an optional header line, blank lines
 * and `#` comments skipped, RFC 4180 quotes). A flat table becomes one dataset named
 * `options.dataset` ('default').
 *
 * @param text - the file's contents.
 * @param source - the file's name, used in messages and to pick the format from its extension.
 * @param options - {@link ParseTruthOptions}.
 * @returns a {@link TruthTable}.
 * @throws EmmsError `TRUTH_TABLE_INVALID` (naming the file and the bad line, dataset or model),
 *   `DUPLICATE_MODEL` (a model twice in one dataset).
 * @example
 * ```ts
 * parseTruthTable('model,accuracy\nresnet50,91.2\nvit_b16,93.5\n', 'truth.csv');
 * // { default: { resnet50: 91.2, vit_b16: 93.5 } }
 * ```
 */
export function parseTruthTable(text: string, source = 'truth', options: ParseTruthOptions = {}): TruthTable {
  const dataset = options.dataset ?? 'default';
  const format =
    options.format ??
    (/\.json$/i.test(source)
      ? 'json'
      : /\.csv$/i.test(source)
        ? 'csv'
        : /^\s*[{[]/.test(text)
          ? 'json'
          : 'csv');
  return format === 'json' ? parseJsonTable(text, source, dataset) : parseCsvTable(text, source, dataset);
}
