import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from './extract';
import { modelFacts, openModelLazily } from './model-facts';
import { type ModelRef, type ModelSpecOptions, openModel } from './models';
import { bytes, pixelDataset, tempDir } from './testing/fixtures';
import { tinyConvNet } from './testing/onnx-graphs';

const dir = tempDir('facts');
const weights = join(dir, 'conv.onnx');
writeFileSync(weights, tinyConvNet());
const ref: ModelRef = { kind: 'onnx', path: weights };
const opts: ModelSpecOptions = { output: 'relu', pool: 'avg', preprocessing: { width: 4, height: 4 } };
const ds = pixelDataset(
  [0, 1, 2, 3].map((s) => bytes(16, s)),
  [0, 0, 1, 1],
  4,
  4,
);

/** openModel, counting calls. */
function counting() {
  const c = {
    opens: 0,
    open: (r: ModelRef, o: ModelSpecOptions) => {
      c.opens++;
      return openModel(r, o);
    },
  };
  return c;
}

/** Extracts the dataset the way the bench does: a lazily opened model, features into `out`. */
async function extract(factsDir: string, out: string, open: ReturnType<typeof counting>['open']) {
  const m = await openModelLazily(ref, opts, { factsDir, open });
  try {
    return await extractFeatures({ dataset: ds, model: m, outDir: out, name: 'f' });
  } finally {
    await m.dispose();
  }
}

describe('openModelLazily', () => {
  it('a rerun with every feature file cached opens no model; touching the weights opens (and hashes) it again', async () => {
    const facts = join(dir, 'models');
    const out = join(dir, 'features');
    const c = counting();
    const first = await extract(facts, out, c.open);
    expect(first.reused).toBe(false);
    expect(c.opens).toBe(1);
    expect(readdirSync(facts)).toHaveLength(1);
    // the remembered digest is the weights file's own sha256, not something the code under test made up
    expect(first.sidecar.model.fingerprint).toBe(
      createHash('sha256').update(readFileSync(weights)).digest('hex'),
    );

    // the timings split the call's wall time: the parts are positive and add up to no more than it
    const t = first.timings;
    expect(t.inference).toBeGreaterThan(0);
    expect(t.prepare + t.inference + t.pool + t.write).toBeLessThanOrEqual(t.total + 1e-9);
    expect(first.sidecar.timings).toEqual(t);

    const warm = await extract(facts, out, c.open);
    expect(warm.reused).toBe(true);
    expect(warm.timings.inference).toBe(0);
    expect(c.opens).toBe(1); // nothing opened
    expect(warm.sidecar.key).toBe(first.sidecar.key);

    // a new modification time: the facts are not trusted, the model is opened and its digest computed again
    const later = new Date(statSync(weights).mtimeMs + 5000);
    utimesSync(weights, later, later);
    const touched = await extract(facts, out, c.open);
    expect(c.opens).toBe(2);
    expect(touched.reused).toBe(true); // same bytes, same digest: the features are still valid
    expect(readdirSync(facts)).toHaveLength(2);
  });

  it('new weights at the same path give a new digest and new features', async () => {
    const facts = join(dir, 'models2');
    const out = join(dir, 'features2');
    const c = counting();
    const first = await extract(facts, out, c.open);
    writeFileSync(weights, tinyConvNet('h', 'w', 'batch')); // other bytes (a renamed batch dimension)
    const second = await extract(facts, out, c.open);
    expect(c.opens).toBe(2);
    expect(second.sidecar.model.fingerprint).not.toBe(first.sidecar.model.fingerprint);
    expect(second.reused).toBe(false);
    writeFileSync(weights, tinyConvNet());
  });

  it('a model opened late runs like one opened at once, and its facts equal the remembered ones', async () => {
    const facts = join(dir, 'models3');
    const c = counting();
    const eager = await openModelLazily(ref, opts, { factsDir: facts, open: c.open });
    const late = await openModelLazily(ref, opts, { factsDir: facts, open: c.open });
    expect(c.opens).toBe(1);
    const a = await extractFeatures({ dataset: ds, model: eager, outDir: join(dir, 'e'), name: 'f' });
    const b = await extractFeatures({ dataset: ds, model: late, outDir: join(dir, 'l'), name: 'f' });
    expect(c.opens).toBe(2); // opened on its first batch
    expect([...b.features.data]).toEqual([...a.features.data]);
    expect(modelFacts(late)).toEqual(modelFacts(eager));
    await eager.dispose();
    await late.dispose();
  });

  it('other options are other facts; without a folder the model is opened at once', async () => {
    const facts = join(dir, 'models4');
    const c = counting();
    await (await openModelLazily(ref, opts, { factsDir: facts, open: c.open })).dispose();
    await (
      await openModelLazily(ref, { ...opts, pool: 'flatten' }, { factsDir: facts, open: c.open })
    ).dispose();
    await (await openModelLazily(ref, opts, { open: c.open })).dispose();
    expect(c.opens).toBe(3);
    expect(readdirSync(facts)).toHaveLength(2);
  });
});
