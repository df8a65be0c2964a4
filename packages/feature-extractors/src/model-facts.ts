// What extraction needs to know of a model without running it (its weights digest, output, pooling,
// preprocessing), remembered per model files' (path, size, modification time) so that a rerun whose feature
// files are all cached opens no model at all.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import type { LoadedModel } from './backends/types';
import { MODEL_CODES } from './codes';
import { sha256, stableJson } from './hash';
import { type ModelRef, type ModelSpecOptions, modelRefText, openModel } from './models';
import { findZooEntry, zooFiles } from './zoo';

/** Bumped when the way a model's facts are derived changes (so remembered facts of older code are not used). */
export const MODEL_FACTS_VERSION = 1;

const RUNS = ['runTensor', 'runImages', 'runTexts', 'runImageTexts'] as const;
type RunName = (typeof RUNS)[number];

/** A loaded model's facts: everything but its run functions (JSON). */
export interface ModelFacts {
  readonly id: string;
  readonly backend: LoadedModel['backend'];
  readonly modality: LoadedModel['modality'];
  readonly fingerprint: string;
  readonly outputName: string;
  readonly pool: LoadedModel['pool'];
  readonly channelsLast: boolean;
  readonly preprocessing?: LoadedModel['preprocessing'];
  readonly maxBatch?: number;
  /** Which run functions the model has. */
  readonly runs: readonly RunName[];
}

/** The facts of a loaded model. */
export function modelFacts(m: LoadedModel): ModelFacts {
  return {
    id: m.id,
    backend: m.backend,
    modality: m.modality,
    fingerprint: m.fingerprint,
    outputName: m.outputName,
    pool: m.pool,
    channelsLast: m.channelsLast,
    ...(m.preprocessing ? { preprocessing: m.preprocessing } : {}),
    ...(m.maxBatch !== undefined ? { maxBatch: m.maxBatch } : {}),
    runs: RUNS.filter((k) => typeof m[k] === 'function'),
  };
}

/** The files a model's numbers are read from (absolute), or undefined when they are not known without opening it. */
export function modelFiles(ref: ModelRef): string[] | undefined {
  switch (ref.kind) {
    case 'zoo': {
      const entry = findZooEntry(ref.id);
      return entry ? zooFiles(entry) : undefined;
    }
    case 'onnx':
      return [ref.path];
    case 'tfjs': {
      const json = join(ref.path, 'model.json');
      try {
        const mj = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
        return [json, ...(mj.weightsManifest ?? []).flatMap((g) => g.paths).map((p) => join(ref.path, p))];
      } catch {
        return undefined;
      }
    }
    default:
      // hub and folder models (their files are the library's business), text models, pixels (cheap to open)
      return undefined;
  }
}

/** Size, modification time (ns) and inode of each file; undefined when one cannot be read. */
function stamps(files: readonly string[]): unknown[] | undefined {
  try {
    return files.map((f) => {
      const s = statSync(f, { bigint: true });
      return [f, String(s.size), String(s.mtimeNs), String(s.ino)];
    });
  } catch {
    return undefined;
  }
}

/**
 * A key of `what` and the files' (path, size, modification time, inode): it changes when a file is touched,
 * replaced or resized. Undefined when a file cannot be read.
 *
 * @param what - anything else the remembered value depends on (JSON).
 * @param files - absolute paths.
 */
export function fileStampKey(what: unknown, files: readonly string[]): string | undefined {
  const s = stamps(files);
  return s ? sha256(stableJson({ v: MODEL_FACTS_VERSION, what, files: s })) : undefined;
}

/** The value remembered under `key` in `dir`, or undefined (missing or unreadable). */
export function readRemembered<T>(dir: string, key: string): T | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as { key: string; value: T };
    return v.key === key ? v.value : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers `value` under `key` in `dir` (a temporary file renamed into place: never half-written). */
export function remember(dir: string, key: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${key}.json`);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, value }));
  renameSync(tmp, path);
}

/** Options of {@link openModelLazily}. */
export interface LazyOpenOptions {
  /** Folder of remembered model facts (e.g. `<cache>/models`); without it the model is opened at once. */
  readonly factsDir?: string;
  /** Opens the model (default {@link openModel}; tests count calls through it). */
  readonly open?: (ref: ModelRef, opts: ModelSpecOptions) => Promise<LoadedModel>;
}

/**
 * A model whose facts (weights digest, output, pooling, preprocessing) are remembered from an earlier run
 * with the same files (same path, size, modification time and inode) and the same options: it is opened
 * only when it is first run, so a run whose features are all cached opens nothing. Otherwise the model is
 * opened now and its facts remembered. Models without known files (hub, folder and text models, pixels)
 * are always opened now. Touching a weights file makes it be opened, and its digest computed, again.
 *
 * @param ref - a parsed model reference.
 * @param opts - the options {@link openModel} takes.
 * @param lazy - {@link LazyOpenOptions}: the facts folder.
 * @returns a {@link LoadedModel}; `dispose()` frees it if it was opened.
 * @throws EmmsError `MODEL_CHANGED` from a run function when the opened model's facts differ from the
 *   remembered ones (a file changed keeping its size and time); the facts are corrected for the next run.
 * @example
 * ```ts
 * const m = await openModelLazily({ kind: 'zoo', id: 'ppocr-cls' }, {}, { factsDir: '.emms-cache/models' });
 * m.fingerprint; // known without opening, on the second run
 * ```
 */
export async function openModelLazily(
  ref: ModelRef,
  opts: ModelSpecOptions,
  lazy: LazyOpenOptions = {},
): Promise<LoadedModel> {
  const open = lazy.open ?? openModel;
  const files = lazy.factsDir ? modelFiles(ref) : undefined;
  const zoo = ref.kind === 'zoo' ? findZooEntry(ref.id) : undefined;
  const { cwd: _cwd, ...decisive } = opts;
  const key = files && fileStampKey({ ref: modelRefText(ref), zoo, opts: decisive }, files);
  const known = key ? readRemembered<ModelFacts>(lazy.factsDir!, key) : undefined;
  if (!key || !known) {
    const m = await open(ref, opts);
    if (key) remember(lazy.factsDir!, key, modelFacts(m));
    return m;
  }
  let opened: Promise<LoadedModel> | undefined;
  const get = () => {
    opened ??= open(ref, opts).then(async (m) => {
      const now = modelFacts(m);
      if (stableJson(now) !== stableJson(known)) {
        remember(lazy.factsDir!, key, now);
        await m.dispose();
        throw new EmmsError(
          MODEL_CODES.MODEL_CHANGED,
          `model ${known.id} changed (its files differ from when it was last read, at the same size and time); run again`,
          { input: known.id },
        );
      }
      return m;
    });
    return opened;
  };
  const { runs, ...facts } = known;
  const model: { -readonly [K in keyof LoadedModel]: LoadedModel[K] } = {
    ...facts,
    async dispose() {
      const m = await opened?.catch(() => undefined);
      await m?.dispose();
    },
  };
  for (const name of runs) {
    model[name] = async (...args: never[]) => {
      const m = await get();
      return (m[name] as (...a: never[]) => ReturnType<NonNullable<LoadedModel[RunName]>>)(...args);
    };
  }
  return model;
}
