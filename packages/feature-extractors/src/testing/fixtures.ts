// Test helpers: temporary folders and in-memory datasets.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset, DatasetItem } from '../dataset';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `emms-fe-${tag}-`));
}

/** A dataset of grey w×h images given as 0..255 arrays, labels as given. */
export function pixelDataset(images: number[][], labels: number[], w: number, h: number): Dataset {
  const items: DatasetItem[] = images.map((px, i) => ({
    id: `img#${i}`,
    label: labels[i],
    key: `k${i}:${px.join(',')}`,
    source: { kind: 'pixels', id: `img#${i}`, width: w, height: h, channels: 1, data: Uint8Array.from(px) },
  }));
  const classes = [...new Set(labels)].sort((a, b) => a - b).map(String);
  return { name: 'pixels', modality: 'image', classes, items, origin: 'memory' };
}

/** Deterministic pseudo-random 0..255 values. */
export function bytes(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}
