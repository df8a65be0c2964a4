// Writes digits/features-ppocr-{rec,cls}.npy: features of the same 300 MNIST digits (the first 30
// of each class) from two real pretrained ONNX models of the offline zoo, through
// @emms/feature-extractors. Run from the repository root after `pnpm build`:
//   node packages/label-embedders/examples/extract-digit-features.mjs
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fx = await import(join(here, '../../feature-extractors/dist/index.js'));
const tmp = mkdtempSync(join(tmpdir(), 'emms-digit-features-'));
for (const id of ['ppocr-rec', 'ppocr-cls']) {
  const model = await fx.openZooModel(id);
  const r = await fx.extractFeatures({
    dataset: fx.readMnistPackage(),
    model,
    outDir: tmp,
    limit: 30,
    name: id,
  });
  copyFileSync(r.featuresPath, join(here, 'digits', `features-${id}.npy`));
  console.log(`${id}: ${r.features.rows}×${r.features.cols}`);
}
