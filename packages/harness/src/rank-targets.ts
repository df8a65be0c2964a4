// The regression targets of `emms rank`: one or more files of continuous values, their columns side
// by side, every value finite.
import { DATASET_CODES } from '@emms/feature-extractors';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';

/**
 * Reads regression targets: each file N×T (or N values), their columns concatenated in the order
 * given into one N×ΣT matrix (float64).
 *
 * @param files - `.npy`, `.npz:NAME`, `.csv:COLUMN`, … (anything `readMatrixFile` reads).
 * @param option - how the caller names the input in messages (e.g. "targets").
 * @returns the targets.
 * @throws EmmsError `TARGET_NOT_FINITE` naming the file, the row and the column of a NaN or infinite
 *   value; `ROW_MISMATCH` when the files differ in rows; `INVALID_OPTION` for no file; the reader's codes.
 * @example
 * ```ts
 * const t = await readTargets(['age.npy', 'boxes.npy']); // N×(1 + 4)
 * ```
 */
export async function readTargets(files: readonly string[], option = 'targets'): Promise<Matrix> {
  if (files.length === 0) {
    throw new EmmsError('INVALID_OPTION', `option ${option} is empty; give one or more target files`, {
      input: option,
    });
  }
  const parts: Matrix[] = [];
  for (const file of files) {
    const m = await readMatrixFile(file);
    if (parts.length > 0 && m.rows !== parts[0].rows) {
      throw new EmmsError(
        'ROW_MISMATCH',
        `target file ${file} has ${m.rows} rows but ${files[0]} has ${parts[0].rows}; give targets of the same items`,
        { input: file, details: { file, rows: m.rows, expected: parts[0].rows } },
      );
    }
    for (let i = 0; i < m.rows * m.cols; i++) {
      const v = m.data[i];
      if (!Number.isFinite(v)) {
        const row = Math.floor(i / m.cols);
        const col = i % m.cols;
        throw new EmmsError(
          DATASET_CODES.TARGET_NOT_FINITE,
          `target file ${file}: row ${row}${m.cols > 1 ? `, column ${col}` : ''} is ${v}; every regression target must be a finite number (drop or fill that item, in the features too)`,
          { input: file, details: { file, row, column: col } },
        );
      }
    }
    parts.push(m);
  }
  const rows = parts[0].rows;
  const cols = parts.reduce((n, m) => n + m.cols, 0);
  const data = new Float64Array(rows * cols);
  let at = 0;
  for (const m of parts) {
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < m.cols; j++) data[r * cols + at + j] = m.data[r * m.cols + j];
    at += m.cols;
  }
  return { rows, cols, data };
}
