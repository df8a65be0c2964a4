import { byteSize, DEFAULT_MAX_ENTRY_BYTES } from '@emms/tensor-io';
import type { CliOption } from './command';
import { UsageError } from './command';

/** `--max-entry-size SIZE`: the reader's `maxEntryBytes` (how far one compressed .npz entry may unpack). */
export const maxEntrySizeOption: CliOption = {
  name: 'max-entry-size',
  type: 'string',
  value: 'SIZE',
  description:
    `Largest size one compressed .npz entry may unpack to (default ${byteSize(DEFAULT_MAX_ENTRY_BYTES).replace(' ', '')}), ` +
    'checked before inflating; e.g. 2GiB, 800MB, 1000000 (bytes). Only the arrays asked for are unpacked.',
};

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
  t: 2 ** 40,
  tib: 2 ** 40,
  tb: 1e12,
};

/**
 * A size in bytes as written on the command line: a number with an optional unit, binary
 * (K, M, G, T, KiB, MiB, GiB, TiB) or decimal (KB, MB, GB, TB), in any letter case.
 *
 * @param text - e.g. "2GiB", "800MB", "1.5G", "1000000".
 * @param flag - the flag that gave it, for the message.
 * @param command - the subcommand, for the usage hint.
 * @returns whole bytes, at least 1.
 * @throws UsageError for anything else (exit 2).
 * @example
 * ```ts
 * parseByteSize('2GiB', '--max-entry-size', 'inspect'); // 2147483648
 * ```
 */
export function parseByteSize(text: string, flag: string, command: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `${flag} must be a positive size such as 2GiB, 800MB or 1000000 (bytes); got "${text}"`,
      command,
    );
  }
  return bytes;
}

/** The reader options the file-reading flags of `command` set. */
export function readOptionsFrom(
  values: Record<string, unknown>,
  command: string,
): { maxEntryBytes?: number } {
  const size = values[maxEntrySizeOption.name];
  return typeof size === 'string'
    ? { maxEntryBytes: parseByteSize(size, `--${maxEntrySizeOption.name}`, command) }
    : {};
}
