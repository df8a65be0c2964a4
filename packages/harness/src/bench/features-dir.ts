// Reading a folder of feature files (`dir/<model>.npy`) with its labels, with errors that name the
// task, the model and the file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import { sha256File } from '../cache';
import { requireFolder } from '../folders';
import { BENCH_CODES } from './codes';

/** One model's features read from a folder. */
export interface FolderModel {
  /** Model name = file stem. */
  readonly id: string;
  readonly path: string;
  readonly features: Matrix;
  /** sha256 of the file's bytes. */
  readonly featuresKey: string;
  readonly fileBytes: number;
  /** `<model>.probs.npy` beside the features: N×Cs source-class probabilities (LEEP, NCE), when present. */
  readonly probs?: Matrix;
  /** Where `probs` was read from. */
  readonly probsPath?: string;
}

const FEATURE_EXT = new Set(['.npy', '.npz', '.safetensors']);

/** Files of a folder that are not model features: labels, label sidecars, F-labels. */
function isReserved(stem: string): boolean {
  return (
    stem === 'labels' ||
    stem.endsWith('.labels') ||
    stem.endsWith('.probs') ||
    /^flabels?([._-]|$)/.test(stem)
  );
}

/**
 * The feature files of a folder: every `<model>.npy` / `<model>.npz` / `<model>.safetensors` (one array each) except `labels.*`, `*.labels.*`,
 * `*.probs.*` and `flabel*` files; the model name is the file stem.
 *
 * @param dir - the folder.
 * @param task - task name for messages.
 * @returns file paths by model name, sorted by name.
 * @throws EmmsError `FILE_NOT_FOUND` (no such folder), `FEATURES_DIR_EMPTY`, `DUPLICATE_MODEL_NAME`
 *   (two files with one stem, e.g. a.npy and a.npz).
 * @example
 * ```ts
 * listFeatureFiles('features', 'mnist'); // [['ppocr-det', '/…/features/ppocr-det.npy'], …]
 * ```
 */
export function listFeatureFiles(dir: string, task: string): [string, string][] {
  const root = requireFolder(dir, `task ${task}: features folder`);
  const byName = new Map<string, string>();
  for (const name of readdirSync(root).sort()) {
    const ext = extname(name).toLowerCase();
    if (!FEATURE_EXT.has(ext)) continue;
    const stem = name.slice(0, -ext.length);
    if (isReserved(stem)) continue;
    const prev = byName.get(stem);
    if (prev) {
      throw new EmmsError(
        BENCH_CODES.DUPLICATE_MODEL_NAME,
        `task ${task}: model "${stem}" has two feature files (${prev} and ${join(root, name)}); keep one`,
        { input: join(root, name), details: { task, model: stem, files: [prev, join(root, name)] } },
      );
    }
    byName.set(stem, join(root, name));
  }
  if (byName.size === 0) {
    throw new EmmsError(
      BENCH_CODES.FEATURES_DIR_EMPTY,
      `task ${task}: features folder ${root} holds no <model>.npy, .npz or .safetensors feature file`,
      { input: root, details: { task } },
    );
  }
  return [...byName.entries()];
}

/**
 * Reads one model's feature file (and `<model>.probs.npy` beside it, when present) and checks that it has
 * one row per label.
 *
 * @param task - task name for messages.
 * @param id - the model name.
 * @param path - the feature file.
 * @param rows - the number of labels N.
 * @returns the model.
 * @throws EmmsError `ROW_MISMATCH` naming the task, model and file; the reader's codes for unreadable files.
 * @example
 * ```ts
 * const m = await readFolderModel('mnist', 'resnet50', 'features/resnet50.npy', labels.length);
 * ```
 */
export async function readFolderModel(
  task: string,
  id: string,
  path: string,
  rows: number,
): Promise<FolderModel> {
  const features = await readMatrixFile(path);
  if (features.rows !== rows) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `task ${task}: model "${id}" has ${features.rows} feature rows in ${path} but there are ${rows} labels; ` +
        'extract features and labels from the same items',
      { input: path, details: { task, model: id, file: path, rows: features.rows, labels: rows } },
    );
  }
  const probsPath = join(dirname(resolve(path)), `${id}.probs.npy`);
  const probs = existsSync(probsPath) ? await readMatrixFile(probsPath) : undefined;
  if (probs && probs.rows !== rows) {
    throw new EmmsError(
      'ROW_MISMATCH',
      `task ${task}: model "${id}" has ${probs.rows} rows of probabilities in ${probsPath} but there are ${rows} labels`,
      { input: probsPath, details: { task, model: id, file: probsPath } },
    );
  }
  return {
    id,
    path,
    features,
    featuresKey: await sha256File(path),
    fileBytes: statSync(path).size,
    ...(probs ? { probs, probsPath } : {}),
  };
}

/**
 * Reads every model's features from a folder and checks each has one row per label.
 *
 * @param dir - the folder of `<model>.npy` files.
 * @param rows - the number of labels N.
 * @param task - task name for messages.
 * @returns the models, sorted by name.
 * @throws EmmsError as {@link listFeatureFiles}, and `ROW_MISMATCH` naming the task, model and file when a
 *   file's rows differ from N; the reader's codes (`NPY_BAD_HEADER`, …) for unreadable files.
 * @example
 * ```ts
 * const models = await readFeaturesFolder('features', labels.length, 'mnist');
 * ```
 */
export async function readFeaturesFolder(dir: string, rows: number, task: string): Promise<FolderModel[]> {
  const out: FolderModel[] = [];
  for (const [id, path] of listFeatureFiles(dir, task)) out.push(await readFolderModel(task, id, path, rows));
  return out;
}

/**
 * Reads a labels file (`.npy`, `.txt`, `.csv`) as class indices.
 *
 * @param path - the labels file.
 * @returns N labels.
 * @throws EmmsError the reader's codes (`FILE_NOT_FOUND`, `LABELS_PARSE`, …).
 * @example
 * ```ts
 * const y = await readLabels('features/labels.npy');
 * ```
 */
export async function readLabels(path: string): Promise<Int32Array> {
  return Int32Array.from((await readLabelsFile(resolve(path))).labels);
}
