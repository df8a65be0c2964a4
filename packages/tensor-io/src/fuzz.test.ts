// Feeds thousands of mutated files to the parsers: each must either succeed or throw EmmsError,
// never another exception and never hang.
import { mulberry32 } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { isEmmsError } from './errors';
import { parseLabelsCsv, parseLabelsJson, parseLabelsText } from './labels';
import { encodeNpy, parseNpy } from './npy';
import { encodeNpz, parseNpz } from './npz';
import { encodeSafetensors, parseSafetensors } from './safetensors';
import type { Tensor } from './tensor';
import { dataBytes } from './test-utils';

const rand = mulberry32(0xe335);
const int = (n: number) => Math.floor(rand() * n);

/** One random mutation: flipped bytes, a cut, an insertion, a deletion, or a header text edit. */
function mutate(src: Uint8Array, headerEnd: number): Uint8Array {
  const kind = int(7);
  const inHeader = () => int(Math.max(1, Math.min(src.length, headerEnd)));
  const out = src.slice();
  switch (kind) {
    case 0: // flip bytes in the header
      for (let k = 1 + int(4); k > 0; k--) out[inHeader()] = int(256);
      return out;
    case 1: // flip bytes anywhere
      for (let k = 1 + int(8); k > 0; k--) out[int(out.length)] = int(256);
      return out;
    case 2: // truncate
      return out.subarray(0, int(out.length));
    case 3: {
      // insert random bytes
      const at = int(out.length + 1);
      const extra = Uint8Array.from({ length: 1 + int(16) }, () => int(256));
      return Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]);
    }
    case 4: {
      // delete a run
      const at = int(out.length);
      return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + int(16))]);
    }
    case 5: {
      // replace a header character with one that matters to the grammar
      const chars = '0123456789(),:\'"{}[]<>|fiubOcLTrueFalseNone -\n';
      for (let k = 1 + int(3); k > 0; k--) out[inHeader()] = chars.charCodeAt(int(chars.length));
      return out;
    }
    default: {
      // splice a large number into the header
      const at = inHeader();
      const num = new TextEncoder().encode(String(int(2) ? 2 ** (20 + int(44)) : int(100000)));
      return Uint8Array.from([...out.subarray(0, at), ...num, ...out.subarray(at + int(4))]);
    }
  }
}

function run(
  parse: (b: Uint8Array) => unknown,
  seeds: Uint8Array[],
  rounds: number,
): { ok: number; typed: number } {
  let ok = 0;
  let typed = 0;
  const foreign: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const seed = seeds[r % seeds.length];
    let bytes = mutate(seed, 140);
    if (int(4) === 0) bytes = mutate(bytes, 140);
    try {
      parse(bytes);
      ok++;
    } catch (e) {
      if (isEmmsError(e)) typed++;
      else if (foreign.length < 5) foreign.push(`${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  }
  expect(foreign).toEqual([]);
  return { ok, typed };
}

const t32: Tensor = {
  dtype: 'float32',
  shape: [3, 4],
  data: Float32Array.from({ length: 12 }, (_, i) => i - 5.5),
};
const t64: Tensor = { dtype: 'int64', shape: [2, 1, 2], data: BigInt64Array.from([1n, -2n, 3n, -4n]) };

describe('fuzz', () => {
  it('.npy: a few thousand mutated files give only typed errors', () => {
    const seeds = [
      dataBytes('f4_le.npy'),
      dataBytes('f8_be.npy'),
      dataBytes('f8_fortran_3d.npy'),
      dataBytes('v3_f4.npy'),
      dataBytes('f2.npy'),
      encodeNpy(t64, { version: 2, fortranOrder: true, byteOrder: 'big' }),
    ];
    const { ok, typed } = run((b) => parseNpy(b, 'fuzz.npy'), seeds, 4000);
    expect(typed).toBeGreaterThan(1000);
    expect(ok).toBeGreaterThan(20);
  });

  it('.npz: mutated archives give only typed errors', () => {
    const seeds = [
      dataBytes('stored.npz'),
      dataBytes('compressed.npz'),
      encodeNpz({ a: t32, b: t64 }, { compress: true }),
    ];
    const { typed } = run((b) => parseNpz(b, 'fuzz.npz'), seeds, 2000);
    expect(typed).toBeGreaterThan(500);
  });

  it('.safetensors: mutated files give only typed errors', () => {
    const seeds = [
      encodeSafetensors({ a: t32, b: t64 }),
      encodeSafetensors({ c: { ...t32, shape: [12] } }, { k: 'v' }),
    ];
    const { typed } = run((b) => parseSafetensors(b, 'fuzz.safetensors'), seeds, 2000);
    expect(typed).toBeGreaterThan(500);
  });

  it('label text: random lines give labels or typed errors', () => {
    const pieces = [
      '0',
      '1',
      '12',
      '-3',
      'cat',
      'dog',
      '',
      ' ',
      '1.5',
      'nan',
      '"',
      ',',
      '\n',
      '\r\n',
      '[',
      ']',
      '{',
      '99999999999',
    ];
    const decoder = new TextDecoder();
    const seeds = Array.from({ length: 20 }, () =>
      new TextEncoder().encode(
        Array.from({ length: 1 + int(12) }, () => pieces[int(pieces.length)]).join(''),
      ),
    );
    run((b) => parseLabelsText(decoder.decode(b), 'y.txt'), seeds, 700);
    run((b) => parseLabelsCsv(decoder.decode(b), int(2) ? 0 : 'a', 'y.csv'), seeds, 700);
    run((b) => parseLabelsJson(decoder.decode(b), 'y.json'), seeds, 700);
  });
});
