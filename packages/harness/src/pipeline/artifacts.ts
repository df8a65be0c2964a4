// References to what steps write into the store (matrices, labels, step records), and reading them back.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Dataset } from '@emms/feature-extractors';
import { EmmsError, isEmmsError, type Matrix } from '@emms/tensor-io';
import { readMatrixFile, writeNpyFile } from '@emms/tensor-io/node';
import { z } from 'zod';
import { matrixKey } from '../bench/score-task';
import { contentKey } from '../cache';
import type { ArtifactStore } from '../store';
import type { StepCall, StepError } from './types';

/** Bumped when a step's input or result changes meaning: part of every record key. */
export const PIPELINE_VERSION = 1;

/** A file a step wrote or read: a path relative to the store (or absolute, for the user's own files). */
export const ArtifactRefSchema = z.strictObject({
  path: z.string().min(1).describe('store-relative path, or absolute for a file of the user'),
  key: z
    .string()
    .optional()
    .describe('content key of the data (sha256 of the file, or of the matrix); absent: computed on read'),
});
export type ArtifactRef = z.output<typeof ArtifactRefSchema>;

/** The record of an earlier step call (its result, in the store), by the call's key. */
export const RecordRefSchema = z.strictObject({ record: z.string().regex(/^[0-9a-f]{64}$/) });
export type RecordRef = z.output<typeof RecordRefSchema>;

/**
 * The key of a step call: a content key of the step's name, the pipeline version and the input. Its
 * record (the result) is stored under it; queue job ids are derived from it.
 *
 * @param call - the step call.
 * @returns 64 hex characters.
 * @example
 * ```ts
 * stepKey({ step: 'split', input }) === stepKey({ step: 'split', input }); // true
 * ```
 */
export function stepKey(call: StepCall): string {
  return contentKey({ step: call.step, v: PIPELINE_VERSION, input: call.input });
}

/** The typed error of anything thrown (`INTERNAL` for what is not an EmmsError), as reports show it. */
export function errorInfo(e: unknown): StepError {
  if (isEmmsError(e)) return { code: e.code, message: e.message, ...(e.input ? { input: e.input } : {}) };
  return { code: 'INTERNAL', message: String((e as Error)?.message ?? e) };
}

/** {@link errorInfo} with the error's details when they are JSON (they cross threads and Redis). */
export function errorWithDetails(e: unknown): StepError {
  const info = errorInfo(e);
  if (!isEmmsError(e) || e.details === undefined) return info;
  try {
    return { ...info, details: JSON.parse(JSON.stringify(e.details)) as Record<string, unknown> };
  } catch {
    return info;
  }
}

/** True for the error an aborted signal throws. */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return (e as Error)?.name === 'AbortError' || signal?.aborted === true;
}

/** Reads a matrix artifact. */
export function loadMatrix(store: ArtifactStore, ref: ArtifactRef): Promise<Matrix> {
  return readMatrixFile(store.path(ref.path));
}

/**
 * Writes a matrix as .npy under a store-relative path named by its content key (so equal data is written
 * once, atomically) and returns its reference.
 */
export async function saveMatrix(store: ArtifactStore, folder: string, m: Matrix): Promise<ArtifactRef> {
  const key = matrixKey(m);
  const path = `${folder}/${key}.npy`;
  const dtype = m.data instanceof Float32Array ? 'float32' : 'float64';
  mkdirSync(store.path(folder), { recursive: true });
  await writeNpyFile(store.path(path), { dtype, shape: [m.rows, m.cols], data: m.data });
  return { path, key };
}

/**
 * Writes a dataset's chosen items (a split) as JSON, in-memory pixels base64-encoded, under its content key:
 * extraction reads this snapshot instead of opening the dataset again.
 */
export function saveDataset(store: ArtifactStore, ds: Dataset): ArtifactRef {
  const text = JSON.stringify(ds, (_k, v: unknown) =>
    v instanceof Uint8Array
      ? { base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
      : v,
  );
  const key = contentKey(new TextEncoder().encode(text));
  const path = `splits/${key}.dataset.json`;
  store.writeAtomic(path, text);
  return { path, key };
}

/** Datasets read in this thread, by key (the same split is read by every extraction of a task). */
const datasets = new Map<string, Dataset>();

/** Reads a dataset written by {@link saveDataset}. */
export function loadDataset(store: ArtifactStore, ref: ArtifactRef): Dataset {
  const hit = ref.key ? datasets.get(ref.key) : undefined;
  if (hit) return hit;
  const ds = JSON.parse(readFileSync(store.path(ref.path), 'utf8'), (_k, v: unknown) =>
    v && typeof v === 'object' && 'base64' in v && typeof (v as { base64: unknown }).base64 === 'string'
      ? new Uint8Array(Buffer.from((v as { base64: string }).base64, 'base64'))
      : v,
  ) as Dataset;
  if (ref.key) {
    if (datasets.size >= 4) datasets.delete(datasets.keys().next().value!);
    datasets.set(ref.key, ds);
  }
  return ds;
}

/** Labels of a split, as written by the split step. */
export interface SplitLabels {
  readonly train: Int32Array;
  readonly test?: Int32Array;
}

/** Writes a split's labels (JSON) under their content key and returns the reference. */
export function saveLabels(store: ArtifactStore, train: Int32Array, test?: Int32Array): ArtifactRef {
  const value = { train: Array.from(train), ...(test ? { test: Array.from(test) } : {}) };
  const key = contentKey(value);
  const path = `splits/${key}.json`;
  store.writeAtomic(path, JSON.stringify(value));
  return { path, key };
}

/** Reads a split's labels. */
export function loadLabels(store: ArtifactStore, ref: ArtifactRef): SplitLabels {
  const v = JSON.parse(readFileSync(store.path(ref.path), 'utf8')) as { train: number[]; test?: number[] };
  return { train: Int32Array.from(v.train), ...(v.test ? { test: Int32Array.from(v.test) } : {}) };
}

/**
 * The result of an earlier step call, read from its record.
 *
 * @throws EmmsError `CACHE_UNWRITABLE` when the record is missing (a store other than the run's).
 */
export function readRecord<T>(store: ArtifactStore, ref: RecordRef): T {
  const v = store.getRecord<T>(ref.record);
  if (v === undefined) {
    throw new EmmsError(
      'CACHE_UNWRITABLE',
      `step record ${ref.record} is missing from the store ${store.dir}; every worker must use the same store`,
      { input: 'cache' },
    );
  }
  return v;
}
