// Extraction writes nothing outside its output folder (and the model cache): onnxruntime-node's
// telemetry client used to create ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and
// $TMPDIR/mat-debug-<pid>.log on every run. A child process extracts with the three runtimes
// (onnxruntime, tfjs, transformers.js) with HOME and TMPDIR pointing at empty folders.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeTinyVit } from './testing/tiny-hf';

const dist = join(__dirname, '..', 'dist', 'index.js');
// The same ESM entry the built package imports (Node resolves the pnpm link to one module).
const runtime = join(__dirname, '..', 'node_modules', '@emms', 'runtime', 'dist', 'index.js');

/** Every path under `dir`, relative to it. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((d) => {
    const rel = join(prefix, d.name);
    return d.isDirectory() ? [rel, ...tree(dir, rel)] : [rel];
  });
}

describe('extraction has no side effects outside the output folder', () => {
  it.runIf(existsSync(dist))(
    'onnxruntime, tfjs and transformers.js models leave HOME, TMPDIR and the working folder empty',
    async () => {
      const make = (what: string) => mkdtempSync(join(tmpdir(), `emms-side-${what}-`));
      const [home, tmp, work, out, models] = ['home', 'tmp', 'work', 'out', 'models'].map(make) as [
        string,
        string,
        string,
        string,
        string,
      ];
      const vit = writeTinyVit(join(models, 'tiny-vit'));
      // What a front door does, then one extraction per runtime.
      const script = `
        import { configureRuntime, readRuntimeConfig } from ${JSON.stringify(pathToFileURL(runtime).href)};
        import { extractFeatures, openDataset, openModel } from ${JSON.stringify(pathToFileURL(dist).href)};
        configureRuntime(readRuntimeConfig({ env: process.env }));
        const dataset = openDataset('mnist');
        for (const spec of ['ppocr-cls', 'nsfw-mobilenet-v2', ${JSON.stringify(`local:${vit}`)}]) {
          const model = await openModel(spec);
          const r = await extractFeatures({ dataset, model, outDir: ${JSON.stringify(out)}, limit: 1 });
          await model.dispose?.();
          console.log(spec, r.rows);
        }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: work,
        env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: tmp },
        timeout: 240_000,
      }).catch((e) => {
        throw new Error(`the child failed: ${e.stderr ?? e.message}`);
      });
      expect(stdout.trim().split('\n')).toHaveLength(3);
      expect(tree(home)).toEqual([]);
      expect(tree(tmp)).toEqual([]);
      expect(tree(work)).toEqual([]);
      expect(tree(out).filter((f) => f.endsWith('.npy')).length).toBeGreaterThanOrEqual(3);
    },
    300_000,
  );
});
