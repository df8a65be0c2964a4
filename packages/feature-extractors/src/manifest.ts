// CSV/JSONL manifests: image paths or texts with labels, regression targets, or captions.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { EmmsError, parseCsvRows } from '@emms/tensor-io';
import { DATASET_CODES } from './codes';
import { type Dataset, type DatasetItem, fileKey, invalid, sha1 } from './dataset';

/** Options of {@link readManifest}. */
export interface ManifestOptions {
  /**
   * Columns (fields, for JSONL) read as regression targets, in order. Default: a `target` column (a number,
   * or for JSONL an array of numbers) or the columns `y1`, `y2`, … when the manifest has them.
   */
  readonly targets?: readonly string[];
}

function readRows(
  file: string,
  path: string,
): { rows: Record<string, unknown>[]; where: (i: number) => string } {
  const text = readFileSync(path, 'utf8');
  const rows: Record<string, unknown>[] = [];
  if (extname(path).toLowerCase() === '.jsonl') {
    const lines: number[] = [];
    text.split(/\r?\n/).forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        rows.push(JSON.parse(l));
      } catch {
        throw invalid(file, `manifest ${file} line ${i + 1} is not JSON`);
      }
      lines.push(i + 1);
    });
    return { rows, where: (i) => `row ${i + 1} (line ${lines[i]})` };
  }
  // blank lines between rows are skipped; quoted fields may hold commas, quotes and line breaks
  const table = parseCsvRows(text, file).filter((r) => r.length > 1 || r[0].trim() !== '');
  if (table.length < 2) throw invalid(file, `manifest ${file} needs a header row and at least one row`);
  const header = table[0].map((h) => h.trim());
  for (let i = 1; i < table.length; i++) {
    const f = table[i];
    if (f.length !== header.length) {
      throw invalid(
        file,
        `manifest ${file} row ${i} has ${f.length} fields, the header has ${header.length} (quote fields that hold commas or line breaks)`,
      );
    }
    rows.push(Object.fromEntries(header.map((h, k) => [h, f[k]])));
  }
  // CSV rows may span lines (quoted line breaks): rows are counted after the header
  return { rows, where: (i) => `row ${i + 1}` };
}

function targetColumns(file: string, first: Record<string, unknown>, given?: readonly string[]): string[] {
  if (given) {
    for (const c of given) {
      if (!(c in first)) {
        throw new EmmsError(
          'INVALID_OPTION',
          `manifest ${file} has no column "${c}" named in targets; its columns are ${Object.keys(first).join(', ')}`,
          { input: 'targets' },
        );
      }
    }
    return [...given];
  }
  if ('target' in first) return ['target'];
  return Object.keys(first)
    .filter((k) => /^y\d+$/.test(k))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** Reads one row's targets; a missing, NaN or infinite value is TARGET_NOT_FINITE naming the row and column. */
function rowTargets(file: string, r: Record<string, unknown>, cols: string[], where: string): number[] {
  const out: number[] = [];
  for (const c of cols) {
    const raw = r[c];
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(x)) {
        throw new EmmsError(
          DATASET_CODES.TARGET_NOT_FINITE,
          `manifest ${file} ${where} has target ${c} = ${JSON.stringify(raw ?? null)}, not a finite number; fix or drop the row`,
          { input: file, details: { where, column: c } },
        );
      }
      out.push(x);
    }
  }
  return out;
}

/**
 * Reads a CSV (header row) or JSONL manifest: columns `path,label[,split]` for images or `text,label[,split]`
 * for texts, optionally with regression targets (a `target` column, `y1,y2,…` columns, or the columns named
 * in `options.targets`; without a `label` column the dataset is a regression task whose `classes` is
 * ["all"]). Image paths are relative to the manifest's folder. Classes are the sorted distinct labels
 * (numerically when all are integers). CSV fields may be quoted and hold commas and line breaks.
 * A JSONL manifest whose rows have `path` and `caption` (a string) or `captions` (strings) is an image-text
 * dataset: one item per caption, labelled by its image (classes = image paths in order) unless a `label` is
 * given.
 *
 * @throws EmmsError `EMPTY_TEXT` (a text row whose text is empty, naming the row), `TARGET_NOT_FINITE`
 *   (a NaN or missing target), `DATASET_INVALID` (a row without its columns), `FILE_NOT_FOUND`.
 */
export function readManifest(file: string, options: ManifestOptions = {}): Dataset {
  const path = resolve(file);
  if (!existsSync(path))
    throw new EmmsError('FILE_NOT_FOUND', `manifest ${file} does not exist`, { input: file });
  const { rows, where } = readRows(file, path);
  if (rows.length === 0) throw invalid(file, `manifest ${file} has no rows`);
  if ('path' in rows[0] && ('caption' in rows[0] || 'captions' in rows[0]))
    return captionManifest(file, path, rows);
  const isText = 'text' in rows[0] && !('path' in rows[0]);
  const field = isText ? 'text' : 'path';
  const tcols = targetColumns(file, rows[0], options.targets);
  const hasLabel = 'label' in rows[0];
  if (!hasLabel && tcols.length === 0) {
    throw invalid(
      file,
      `manifest ${file} needs a "label" column or target columns (target, or y1,y2,…); its columns are ${Object.keys(rows[0]).join(', ')}`,
    );
  }
  rows.forEach((r, i) => {
    const missingLabel = hasLabel && (r.label === undefined || r.label === null || r.label === '');
    if (typeof r[field] !== 'string' || missingLabel) {
      throw invalid(
        file,
        `manifest ${file} ${where(i)} needs "${field}"${hasLabel ? ' and "label"' : ''} (columns ${field}${hasLabel ? ',label' : ''}[,split])`,
      );
    }
    if (isText && (r.text as string).trim() === '') {
      throw new EmmsError(
        DATASET_CODES.EMPTY_TEXT,
        `manifest ${file} ${where(i)} has an empty text; give it some text or drop the row`,
        { input: file, details: { row: i + 1 } },
      );
    }
  });
  const targets = tcols.length ? rows.map((r, i) => rowTargets(file, r, tcols, where(i))) : undefined;
  const width = targets?.[0].length ?? 0;
  targets?.forEach((t, i) => {
    if (t.length !== width) {
      throw invalid(file, `manifest ${file} row ${i + 1} has ${t.length} target values, row 1 has ${width}`);
    }
  });
  const labels = hasLabel ? [...new Set(rows.map((r) => String(r.label)))] : ['all'];
  const numeric = labels.every((l) => /^-?\d+$/.test(l));
  const classes = numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
  const base = dirname(path);
  const items = rows.map((r, i): DatasetItem => {
    const label = hasLabel ? classes.indexOf(String(r.label)) : 0;
    const split = r.split === undefined || r.split === '' ? undefined : String(r.split);
    const extra = targets ? { target: targets[i] } : {};
    if (isText) {
      const t = r.text as string;
      return {
        id: `${basename(path)}#${i}`,
        label,
        split,
        key: sha1(t),
        source: { kind: 'text', text: t },
        ...extra,
      };
    }
    const p = resolve(base, r.path as string);
    const key = existsSync(p) ? fileKey(base, p) : `${r.path}:missing`;
    return { id: r.path as string, label, split, key, source: { kind: 'file', path: p }, ...extra };
  });
  const targetNames =
    tcols.length === 1 && width > 1 ? Array.from({ length: width }, (_, k) => `${tcols[0]}[${k}]`) : tcols;
  return {
    name: basename(path, extname(path)),
    modality: isText ? 'text' : 'image',
    classes,
    items,
    origin: path,
    ...(targets ? { targetNames, task: hasLabel ? 'classification' : 'regression' } : {}),
  };
}

function captionManifest(file: string, path: string, rows: Record<string, unknown>[]): Dataset {
  const base = dirname(path);
  const images: string[] = [];
  const items: DatasetItem[] = [];
  const labelled = rows.every((r) => r.label !== undefined && r.label !== null && r.label !== '');
  const labelNames = labelled ? [...new Set(rows.map((r) => String(r.label)))].sort() : [];
  rows.forEach((r, i) => {
    const caps = typeof r.caption === 'string' ? [r.caption] : r.captions;
    if (
      typeof r.path !== 'string' ||
      !Array.isArray(caps) ||
      caps.length === 0 ||
      !caps.every((c) => typeof c === 'string')
    ) {
      throw invalid(
        file,
        `manifest ${file} row ${i + 1} needs "path" and "caption" (a string) or "captions" (strings)`,
      );
    }
    if (!images.includes(r.path)) images.push(r.path);
    const p = resolve(base, r.path);
    const key = existsSync(p) ? fileKey(base, p) : `${r.path}:missing`;
    const label = labelled ? labelNames.indexOf(String(r.label)) : images.indexOf(r.path);
    const split = r.split === undefined || r.split === '' ? undefined : String(r.split);
    for (const [k, c] of (caps as string[]).entries()) {
      items.push({
        id: `${r.path}#${k}`,
        label,
        split,
        key: `${key}:${sha1(c)}`,
        source: { kind: 'file', path: p, text: c },
        text: c,
      });
    }
  });
  return {
    name: basename(path, extname(path)),
    modality: 'image-text',
    classes: labelled ? labelNames : images,
    items,
    origin: path,
    task: 'captioning',
  };
}
