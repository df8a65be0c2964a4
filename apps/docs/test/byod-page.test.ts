// Every `emms` command of the "Bring your own data" page runs through the built CLI and exits 0, on
// the files the page describes (written here): an image folder, a manifest, a features folder with
// .npy and .safetensors files, labels, class names and regression targets. A command with a
// `<placeholder>` needs a model the reader has and is skipped (counted, not silently).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { encodeNpy, normalFrom, seededRandom } from '@emms/tensor-io';
import { writeArraysFile } from '@emms/tensor-io/node';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliBin = join(app, '..', 'cli', 'dist', 'bin.js');
const page = readFileSync(join(app, 'site', 'bring-your-own-data.md'), 'utf8');

/** The `emms …` lines of the page's ```sh blocks (continuation lines joined). */
function pageCommands(): string[] {
  const out: string[] = [];
  for (const block of page.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1].replace(/\\\n\s*/g, ' ').split('\n');
    for (const l of lines) if (l.trim().startsWith('emms ')) out.push(l.trim());
  }
  return out;
}

/** A grey 8-bit PNG (zlib from Node; one filter byte per row). */
function png(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixel(x, y);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The files the page talks about, in a fresh working folder. */
async function writeFiles(dir: string): Promise<void> {
  const rand = seededRandom(7);
  const gauss = normalFrom(rand);
  // clothes/<class>/NNN.png: three shapes, six images each; and the same as a manifest
  const shapes: Record<string, (x: number, y: number) => boolean> = {
    shirt: (x, y) => Math.abs(x - 14) < 9 && Math.abs(y - 14) < 9,
    trouser: (x) => x % 6 < 3,
    boot: (x, y) => (x - 14) ** 2 + (y - 14) ** 2 < 64,
  };
  const rows = ['path,label'];
  for (const [name, inside] of Object.entries(shapes)) {
    mkdirSync(join(dir, 'clothes', name), { recursive: true });
    for (let k = 1; k <= 6; k++) {
      const file = `clothes/${name}/00${k}.png`;
      writeFileSync(
        join(dir, file),
        png(28, 28, (x, y) => (inside(x, y) ? 200 : 30) + Math.floor(rand() * 40)),
      );
      rows.push(`${file},${name}`);
    }
  }
  writeFileSync(join(dir, 'clothes.csv'), `${rows.join('\n')}\n`);
  const digits = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  writeFileSync(join(dir, 'digits.txt'), `${digits.join('\n')}\n`);
  writeFileSync(join(dir, 'classes.txt'), 'cat\ndog\nbird\n');
  // features/: three models of different quality on 60 items of 3 classes, one as safetensors
  const n = 60;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  mkdirSync(join(dir, 'features'));
  writeFileSync(
    join(dir, 'features', 'labels.npy'),
    encodeNpy({ dtype: 'int64', shape: [n], data: BigInt64Array.from(labels, BigInt) }),
  );
  const model = (d: number, signal: number) => {
    const means = Float64Array.from({ length: 3 * d }, () => gauss());
    return Float32Array.from(
      { length: n * d },
      (_, k) => signal * means[labels[Math.floor(k / d)] * d + (k % d)] + gauss(),
    );
  };
  const npy = (name: string, d: number, signal: number) =>
    writeFileSync(
      join(dir, 'features', name),
      encodeNpy({ dtype: 'float32', shape: [n, d], data: model(d, signal) }),
    );
  npy('resnet50.npy', 24, 1.5);
  npy('vit-b16.npy', 16, 0.8);
  await writeArraysFile(join(dir, 'features', 'convnext-t.safetensors'), {
    features: { dtype: 'float32', shape: [n, 32], data: model(32, 0.4) },
  });
  // regression targets: an age per item, and a box (4 columns) per item
  const ages = Float64Array.from({ length: n }, (_, i) => 20 + 10 * labels[i] + gauss());
  writeFileSync(join(dir, 'ages.npy'), encodeNpy({ dtype: 'float64', shape: [n], data: ages }));
  const boxes = Float32Array.from({ length: n * 4 }, (_, k) => labels[Math.floor(k / 4)] + 0.1 * gauss());
  writeFileSync(join(dir, 'boxes.npy'), encodeNpy({ dtype: 'float32', shape: [n, 4], data: boxes }));
}

describe('the "Bring your own data" page', () => {
  const commands = pageCommands();
  const runnable = commands.filter((c) => !/<[^>]+>/.test(c));
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emms-byod-page-'));
    await writeFiles(dir);
  });

  it('has commands, and skips only the ones with a placeholder', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    expect(commands.length - runnable.length).toBe(1);
  });

  it.each(runnable)(
    '%s',
    async (command) => {
      const args = command.split(/\s+/).slice(1);
      const r = await run(process.execPath, [cliBin, ...args], {
        cwd: dir,
        env: { ...process.env, EMMS_REMOTE_MODELS: '0' },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect('code' in r ? `exit ${r.code}: ${r.stderr}` : 'exit 0').toBe('exit 0');
      if (args[0] === 'rank' && args.includes('json')) {
        // every model of the folder is ranked, the safetensors file too
        const out = JSON.parse(r.stdout) as { models: { id: string }[] };
        expect(out.models.map((m) => m.id).sort()).toEqual(['convnext-t', 'resnet50', 'vit-b16']);
      }
    },
    600_000,
  );
});
