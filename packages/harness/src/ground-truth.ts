// Ground-truth tables: the published ones shipped with the package, and user files (Node).
import { EmmsError, isEmmsError } from '@emms/tensor-io';
import { readTextFile } from '@emms/tensor-io/node';
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
    // a folder, a pipe or a device is refused by name before anything can block on it
    text = await readTextFile(path, 'a ground-truth file (.json or .csv)');
  } catch (e) {
    if (isEmmsError(e) && e.code !== 'FILE_NOT_FOUND') throw e;
    throw new EmmsError('FILE_NOT_FOUND', `${path}: no such ground-truth file; check the path`, {
      input: path,
      cause: e,
    });
  }
  return parseTruthTable(text, path, options);
}
