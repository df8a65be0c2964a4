import { basename, resolve } from 'node:path';
import { type ArrayInspection, inspectFile } from '@emms/tensor-io/node';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { type Cell, formatOption, type OutputFormat, renderJson, renderRows } from '../format';
import { maxEntrySizeOption, readOptionsFrom } from '../read-options';

/** What `emms inspect` reports for one array (the JSON keys, in this order). */
export interface ArrayReport {
  readonly shape: number[];
  readonly dtype: string;
  readonly byteOrder: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly nonFinite: number;
}

const orNull = (x: number) => (Number.isNaN(x) ? null : x);

function report(a: ArrayInspection): ArrayReport {
  return {
    shape: [...a.shape],
    dtype: a.storedDtype === a.dtype ? a.dtype : a.storedDtype,
    byteOrder: a.byteOrder,
    min: orNull(a.min),
    max: orNull(a.max),
    mean: orNull(a.mean),
    nonFinite: a.nonFinite,
  };
}

/** `emms inspect FILE`: what an array file holds, without loading anything else. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Show shape, dtype, byte order, min/max/mean and NaN/Inf count of the arrays in a file.',
  usage: 'FILE [--max-entry-size SIZE] [--format table|json|csv]',
  options: [maxEntrySizeOption, formatOption],
  details: [
    'FILE may be .npy, .npz or .safetensors. For .npz and .safetensors there is one entry per array;',
    'in JSON under "arrays": {"name": {...}}. min, max and mean are over the finite values (null when',
    'there are none); nonFinite counts NaN and ±Inf. dtype and byteOrder are as stored (a float16',
    'file says float16 although it is read widened to float32); byteOrder is little, big, or none',
    "for one-byte types. A .npz entry is unpacked only after every entry's header and size are",
    'checked, and one at a time; a compressed entry larger than --max-entry-size is refused.',
    '',
    'Example:',
    '  emms inspect examples/small/X.npy --format json',
  ].join('\n'),
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('missing FILE to inspect', 'inspect');
    if (positionals.length > 1)
      throw new UsageError(`inspect takes one FILE, got ${positionals.length}`, 'inspect');
    const format = values.format as OutputFormat;
    const file = positionals[0];
    const result = await inspectFile(resolve(io.cwd, file), readOptionsFrom(values, 'inspect'));
    const single = result.format === 'npy';
    const entries: [string, ArrayReport][] = result.arrays.map((a) => [a.name, report(a)]);
    if (format === 'json') {
      io.stdout.write(renderJson(single ? entries[0][1] : { arrays: Object.fromEntries(entries) }));
      return 0;
    }
    const rows: Cell[][] = entries.map(([name, s]) => [
      single ? basename(file) : name,
      s.shape.length === 0 ? '()' : s.shape.join('×'),
      s.dtype,
      s.byteOrder,
      s.min,
      s.max,
      s.mean,
      s.nonFinite,
    ]);
    if (format === 'csv') {
      // CSV keeps the shape machine-readable with "x" between dimensions.
      for (const r of rows) r[1] = String(r[1]).replace(/×/g, 'x');
    }
    io.stdout.write(
      renderRows(format, ['array', 'shape', 'dtype', 'byteOrder', 'min', 'max', 'mean', 'nonFinite'], rows),
    );
    return 0;
  },
};
