// Ground-truth tables: the published ones shipped with the package, and user files (Node).
import { readFile } from 'node:fs/promises';
import { EmmsError } from '@emms/tensor-io';
import { type ParseTruthOptions, parseTruthTable, type TruthTable } from './published-truth';

export {
  type ParseTruthOptions,
  PUBLISHED_TRUTH_IDS,
  type PublishedTruth,
  type PublishedTruthId,
  parseTruthTable,
  publishedTruth,
  type TruthTable,
  truthForDataset,
} from './published-truth';

/**
 * Reads a user ground-truth table: JSON `{dataset: {model: value}}` or `{model: value}`, or CSV
 * lines `model,value` / `dataset,model,value` (see {@link parseTruthTable}; the format comes from
 * the extension, else from the first character).
 *
 * @param path - the file.
 * @param options - {@link ParseTruthOptions}: `format`, `dataset` (name for a flat table, 'default').
 * @returns a {@link TruthTable} `{ dataset: { model: value } }`.
 * @throws EmmsError `FILE_NOT_FOUND` / `FILE_UNREADABLE` naming the path, `TRUTH_TABLE_INVALID`
 *   naming the file and the bad line or entry, `DUPLICATE_MODEL`.
 * @example
 * ```ts
 * const table = await readTruthTable('finetune-results.csv');
 * const truth = truthForDataset(table); // one dataset: model → accuracy
 * ```
 */
export async function readTruthTable(path: string, options: ParseTruthOptions = {}): Promise<TruthTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EmmsError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      code === 'ENOENT'
        ? `${path}: no such ground-truth file; check the path`
        : `${path}: cannot read the ground-truth file (${(e as Error).message})`,
      { input: path, cause: e },
    );
  }
  return parseTruthTable(text, path, options);
}
