import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EmmsError, isEmmsError, progressTracker } from '@emms/tensor-io';
import type { LoadedModel } from './backends/types';
import { type DatasetItem, fingerprintItems, selectItems } from './dataset';
import type { ExtractOptions, ExtractResult, FeatureSidecar } from './extract-types';
import { sha256, stableJson } from './hash';
import { loadRgb } from './image';
import { decodeFloat32Matrix, encodeFloat32Matrix, encodeInt64Vector } from './npy-io';
import { type OutputTensor, type PooledRows, pool } from './pooling';
import { prepareTensorBatch, type SkippedItem } from './prep';
import { channelCount, type RawPixels } from './preprocess';

export type { ExtractOptions, ExtractResult, ExtractTimings, FeatureSidecar } from './extract-types';

interface PartRecord {
  key: string;
  cols: number;
  rows: number;
  nextItem: number;
  skipped: SkippedItem[];
  seconds: number;
  modelSeconds: number;
}

function slug(s: string): string {
  return (
    s
      .replace(/\.(onnx|json)$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'x'
  );
}

/** Runs a prepared batch through the model and pools it (one item at a time for batch-one graphs). */
async function runBatch(
  model: LoadedModel,
  batch: PreparedBatch,
): Promise<{ rows: PooledRows; seconds: number; inference: number }> {
  const t0 = performance.now();
  let inference = 0;
  const per = batch.kind === 'tensor' ? batch.data.length / batch.count : 0;
  const run = async (k: number, n: number): Promise<OutputTensor> => {
    const t = performance.now();
    try {
      return await runOnce(k, n);
    } finally {
      inference += (performance.now() - t) / 1000;
    }
  };
  const runOnce = (k: number, n: number): Promise<OutputTensor> => {
    if (batch.kind === 'tensor') {
      const shape = [n, ...batch.shape.slice(1)];
      return model.runTensor!(batch.data.subarray(k * per, (k + n) * per), shape);
    }
    if (batch.kind === 'images') return model.runImages!(batch.images.slice(k, k + n));
    if (batch.kind === 'texts') return model.runTexts!(batch.texts.slice(k, k + n));
    return model.runImageTexts!(batch.images.slice(k, k + n), batch.texts.slice(k, k + n));
  };
  const step = model.maxBatch && model.maxBatch > 0 ? model.maxBatch : batch.count;
  if (step >= batch.count) {
    const rows = pool(await run(0, batch.count), model.pool, model.channelsLast);
    return { rows, seconds: (performance.now() - t0) / 1000, inference };
  }
  // smaller pieces (batch-one graphs): pooled rows go straight into one batch matrix
  let data: Float32Array | undefined;
  let cols = 0;
  let r = 0;
  for (let k = 0; k < batch.count; k += step) {
    const p = pool(await run(k, Math.min(step, batch.count - k)), model.pool, model.channelsLast);
    if (!data) {
      cols = p.cols;
      data = new Float32Array(batch.count * cols);
    }
    if (p.cols !== cols) throw new Error(`internal: feature width changed from ${cols} to ${p.cols}`);
    data.set(p.data.subarray(0, p.rows * cols), r * cols);
    r += p.rows;
  }
  return { rows: { rows: r, cols, data: data! }, seconds: (performance.now() - t0) / 1000, inference };
}

type PreparedBatch =
  | {
      kind: 'tensor';
      count: number;
      shape: number[];
      data: Float32Array;
      kept: number;
      skipped: SkippedItem[];
    }
  | { kind: 'images'; count: number; images: RawPixels[]; kept: number; skipped: SkippedItem[] }
  | { kind: 'texts'; count: number; texts: string[]; kept: number; skipped: SkippedItem[] }
  | {
      kind: 'pairs';
      count: number;
      images: RawPixels[];
      texts: string[];
      kept: number;
      skipped: SkippedItem[];
    };

/** Decodes and preprocesses items [from, to); bad images throw, or are skipped with skipBad. */
async function prepare(
  model: LoadedModel,
  items: readonly DatasetItem[],
  skipBad: boolean,
  buffer?: Float32Array,
): Promise<PreparedBatch> {
  const skipped: SkippedItem[] = [];
  if (model.modality === 'text') {
    const texts = items.map((i) => {
      if (i.source.kind !== 'text')
        throw new EmmsError('DATASET_INVALID', `item ${i.id} is not text; model ${model.id} embeds texts`, {
          input: i.id,
        });
      return i.source.text;
    });
    return { kind: 'texts', count: texts.length, texts, kept: texts.length, skipped };
  }
  const pre = model.preprocessing;
  if (pre) {
    for (const i of items) {
      if (i.source.kind === 'text') {
        throw new EmmsError('DATASET_INVALID', `item ${i.id} is text; model ${model.id} needs images`, {
          input: i.id,
        });
      }
    }
    const b = await prepareTensorBatch(items, pre, skipBad, buffer);
    return {
      kind: 'tensor',
      count: b.count,
      shape: b.shape,
      data: b.data,
      kept: b.count,
      skipped: b.skipped,
    };
  }
  const loads = await Promise.allSettled(
    items.map((i) => {
      if (i.source.kind === 'text')
        throw new EmmsError('DATASET_INVALID', `item ${i.id} is text; model ${model.id} needs images`, {
          input: i.id,
        });
      return loadRgb(i.source);
    }),
  );
  const ok: RawPixels[] = [];
  const okTexts: string[] = [];
  loads.forEach((r, k) => {
    if (r.status === 'fulfilled') {
      ok.push(r.value);
      const src = items[k].source;
      okTexts.push(src.kind === 'file' ? (src.text ?? '') : '');
    } else if (skipBad && isEmmsError(r.reason) && r.reason.code === 'IMAGE_UNREADABLE') {
      const it = items[k];
      skipped.push({
        id: it.id,
        path: it.source.kind === 'file' ? it.source.path : undefined,
        reason: (r.reason as Error).message,
      });
    } else throw r.reason;
  });
  if (model.modality === 'image-text')
    return { kind: 'pairs', count: ok.length, images: ok, texts: okTexts, kept: ok.length, skipped };
  return { kind: 'images', count: ok.length, images: ok, kept: ok.length, skipped };
}

/**
 * Runs `model` over the chosen items of `dataset` and saves the pooled features as `<stem>.npy` (float32 N×D),
 * the labels as `<stem>.labels.npy` (int64) and a JSON sidecar `<stem>.json`. A rerun whose inputs have the same
 * key reuses the file; a run that stopped (error, abort, kill) resumes from its last finished batch, kept in
 * `<stem>.part.bin` + `<stem>.part.json`.
 */
export async function extractFeatures(opts: ExtractOptions): Promise<ExtractResult> {
  const { dataset, model } = opts;
  const callStart = performance.now();
  const batchSize = opts.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EmmsError('INVALID_OPTION', `batch size must be a positive integer, got ${opts.batchSize}`, {
      input: 'batch',
    });
  }
  if (dataset.modality !== model.modality) {
    throw new EmmsError(
      'DATASET_INVALID',
      `dataset ${dataset.name} holds ${dataset.modality}s but model ${model.id} takes ${model.modality}s`,
      {
        input: dataset.origin,
      },
    );
  }
  const { items, splitRule } = selectItems(dataset, { split: opts.split, limit: opts.limit });
  const skipBad = opts.skipBad ?? false;
  const modelInfo = {
    id: model.id,
    backend: model.backend,
    fingerprint: model.fingerprint,
    output: model.outputName,
    pool: model.pool,
    channelsLast: model.channelsLast,
  };
  const datasetInfo = {
    name: dataset.name,
    origin: dataset.origin,
    fingerprint: fingerprintItems(dataset, items),
    split: opts.split ?? null,
    splitRule,
    limit: opts.limit ?? null,
    classes: dataset.classes,
  };
  const preprocessing = model.preprocessing ?? null;
  const key = sha256(
    stableJson({
      model: { ...modelInfo, id: undefined },
      preprocessing,
      dataset: {
        fingerprint: datasetInfo.fingerprint,
        split: datasetInfo.split,
        limit: datasetInfo.limit,
        classes: datasetInfo.classes,
      },
      skipBad,
    }),
  );
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const stem = opts.name ?? `${slug(basename(model.id))}__${slug(dataset.name)}__${opts.split ?? 'all'}`;
  const featuresPath = join(outDir, `${stem}.npy`);
  const labelsPath = join(outDir, `${stem}.labels.npy`);
  const sidecarPath = join(outDir, `${stem}.json`);
  const partPath = join(outDir, `${stem}.part.bin`);
  const partJson = join(outDir, `${stem}.part.json`);
  const task = `extract:${basename(model.id)}`;

  if (!opts.force && existsSync(sidecarPath) && existsSync(featuresPath) && existsSync(labelsPath)) {
    const side = JSON.parse(readFileSync(sidecarPath, 'utf8')) as FeatureSidecar;
    if (side.key === key) {
      const m = decodeFloat32Matrix(readFileSync(featuresPath), featuresPath);
      if (m.rows === side.rows && m.cols === side.cols) {
        const keptLabels = labelsOf(items, side.skipped);
        opts.onProgress?.({ task, done: m.rows, total: m.rows, message: `reused ${featuresPath}` });
        return {
          features: m,
          labels: keptLabels,
          featuresPath,
          labelsPath,
          sidecarPath,
          sidecar: side,
          reused: true,
          resumedAt: 0,
          timings: {
            prepare: 0,
            inference: 0,
            pool: 0,
            write: 0,
            total: (performance.now() - callStart) / 1000,
          },
        };
      }
    }
  }

  // resume from a part file with the same key, else start over
  let part: PartRecord = { key, cols: 0, rows: 0, nextItem: 0, skipped: [], seconds: 0, modelSeconds: 0 };
  if (!opts.force && existsSync(partJson) && existsSync(partPath)) {
    const prev = JSON.parse(readFileSync(partJson, 'utf8')) as PartRecord;
    if (prev.key === key && statSync(partPath).size >= prev.rows * prev.cols * 4) {
      part = prev;
      truncateSync(partPath, prev.rows * prev.cols * 4);
    }
  }
  if (part.nextItem === 0) {
    rmSync(partPath, { force: true });
    writeFileSync(partPath, new Uint8Array(0));
  }
  const resumedAt = part.nextItem;
  const progress = progressTracker(task, items.length, opts.onProgress);
  if (resumedAt > 0) progress.advance(resumedAt, `resumed at item ${resumedAt} of ${items.length}`);

  const started = performance.now();
  const baseSeconds = part.seconds;
  const batches: [number, number][] = [];
  for (let a = resumedAt; a < items.length; a += batchSize)
    batches.push([a, Math.min(items.length, a + batchSize)]);
  // Finished batches are checkpointed (rows appended to the part file, then the record rewritten) at most
  // once a second, and always before an abort or an error leaves the loop: a killed run loses at most
  // about a second of work, and the record never counts rows the part file does not hold.
  const pending: Float32Array[] = [];
  let onDisk = part.rows; // rows the part file holds
  let lastFlush = performance.now();
  const time = { prepare: 0, inference: 0, pool: 0, write: 0 };
  const flush = () => {
    const t = performance.now();
    for (const rows of pending)
      appendFileSync(partPath, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    pending.length = 0;
    onDisk = part.rows;
    part.seconds = baseSeconds + (performance.now() - started) / 1000;
    writeFileSync(partJson, JSON.stringify(part));
    lastFlush = performance.now();
    time.write += (lastFlush - t) / 1000;
  };
  // Two input buffers, alternating: batch k+1 is written while batch k may still be in the model, and batch
  // k+2 only after batch k has run, so neither is overwritten in use and none is allocated per batch.
  const per = model.preprocessing
    ? channelCount(model.preprocessing) * model.preprocessing.width * model.preprocessing.height
    : 0;
  const buffers =
    per > 0 && model.modality === 'image'
      ? [new Float32Array(batchSize * per), new Float32Array(batchSize * per)]
      : undefined;
  // the synchronous part of preparing (in-memory digits are resized and normalised in this thread) is counted too
  const prepareBatch = (b: number) => {
    const t = performance.now();
    const p = prepare(model, items.slice(...batches[b]), skipBad, buffers?.[b % 2]);
    time.prepare += (performance.now() - t) / 1000;
    return p;
  };
  // sharp decodes batch k+1 in libuv's threads while batch k runs
  let next: Promise<PreparedBatch> | undefined = batches.length ? prepareBatch(0) : undefined;
  let completed = false;
  try {
    for (let b = 0; b < batches.length; b++) {
      const waited = performance.now();
      const batch = await next!;
      time.prepare += (performance.now() - waited) / 1000;
      next = b + 1 < batches.length ? prepareBatch(b + 1) : undefined;
      // a failing prefetch must not surface as an unhandled rejection while this batch runs
      next?.catch(() => undefined);
      if (batch.count > 0) {
        const { rows, seconds, inference } = await runBatch(model, batch);
        time.inference += inference;
        time.pool += seconds - inference;
        const copied = performance.now();
        if (part.cols === 0) part.cols = rows.cols;
        if (rows.cols !== part.cols)
          throw new Error(`internal: feature width changed from ${part.cols} to ${rows.cols}`);
        pending.push(rows.data.slice(0, rows.rows * rows.cols)); // a copy: backends may reuse output buffers
        part.rows += rows.rows;
        part.modelSeconds += seconds;
        time.write += (performance.now() - copied) / 1000;
      }
      part.skipped.push(...batch.skipped);
      part.nextItem = batches[b][1];
      progress.advance(batches[b][1] - batches[b][0]);
      if (performance.now() - lastFlush >= 1000) flush();
      if (opts.signal?.aborted && b + 1 < batches.length) {
        // the part files hold every finished batch; a rerun resumes at part.nextItem
        throw new DOMException(
          `extraction of ${model.id} stopped at item ${part.nextItem} of ${items.length}`,
          'AbortError',
        );
      }
    }
    completed = true;
  } finally {
    // a run that stops early leaves every finished batch in the part files; a finished one needs no checkpoint
    if (!completed && (pending.length > 0 || part.nextItem > resumedAt)) flush();
  }
  if (part.rows === 0) {
    throw new EmmsError(
      'DATASET_INVALID',
      `no item of ${dataset.name} could be read (${part.skipped.length} skipped)`,
      { input: dataset.origin },
    );
  }
  // rows checkpointed earlier (this run or the one resumed) come from the part file, the rest from memory
  const data = new Float32Array(part.rows * part.cols);
  let filled = onDisk * part.cols;
  if (filled > 0) new Uint8Array(data.buffer).set(readFileSync(partPath).subarray(0, filled * 4));
  for (const rows of pending) {
    data.set(rows, filled);
    filled += rows.length;
  }
  const labels = labelsOf(items, part.skipped);
  // features and labels first, the sidecar (which makes the files reusable) last
  const writing = performance.now();
  writeAtomic(featuresPath, encodeFloat32Matrix(data, part.rows, part.cols));
  writeAtomic(labelsPath, encodeInt64Vector(labels));
  time.write += (performance.now() - writing) / 1000;
  const skippedIds = new Set(part.skipped.map((s) => s.id));
  const sidecar: FeatureSidecar = {
    format: 'emms-features/1',
    key,
    model: modelInfo,
    preprocessing,
    dataset: datasetInfo,
    rows: part.rows,
    cols: part.cols,
    features: basename(featuresPath),
    labels: basename(labelsPath),
    ids: items.filter((i) => !skippedIds.has(i.id)).map((i) => i.id),
    skipped: part.skipped,
    skipBad,
    batchSize,
    seconds: baseSeconds + (performance.now() - started) / 1000,
    modelSeconds: part.modelSeconds,
    timings: { ...time, total: (performance.now() - callStart) / 1000 },
    createdAt: new Date().toISOString(),
  };
  writeAtomic(sidecarPath, Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`));
  rmSync(partPath, { force: true });
  rmSync(partJson, { force: true });
  return {
    features: { rows: part.rows, cols: part.cols, data },
    labels,
    featuresPath,
    labelsPath,
    sidecarPath,
    sidecar,
    reused: false,
    resumedAt,
    timings: sidecar.timings!,
  };
}

function labelsOf(items: readonly DatasetItem[], skipped: readonly SkippedItem[]): Int32Array {
  const gone = new Set(skipped.map((s) => s.id));
  return Int32Array.from(items.filter((i) => !gone.has(i.id)).map((i) => i.label));
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}
