import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceDir } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { run } from '../test-helpers';

const dir = mkdtempSync(join(tmpdir(), 'emms-agreement-'));
function file(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

// Hand-worked: the score ranks b > a > d > c; the truth ranks a (90) > b (85) > c (80) > d (70).
const truth = file('truth.json', { a: 90, b: 85, c: 80, d: 70 });
const scores = file('scores.json', { a: 0.5, b: 0.9, c: 0.1, d: 0.2 });

describe('emms agreement', () => {
  it('prints exactly the eight figures as JSON', async () => {
    const r = await run(['agreement', '--scores', scores, '--truth', truth, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'weightedTau',
      'kendallTau',
      'pearson',
      'spearman',
      'weightedPearson',
      'rel1',
      'rel3',
      'regret1',
    ]);
    // (concordant 4 − discordant 2) / 6 pairs; top-1 is b (85 of the best 90); a is in the top 3.
    expect(out.kendallTau).toBeCloseTo(1 / 3, 14);
    expect(out.rel1).toBeCloseTo(85 / 90, 14);
    expect(out.rel3).toBe(1);
    expect(out.regret1).toBe(5);
  });

  it('matches scipy on a shared weighted-τ case given as CSV files', async () => {
    const cases = JSON.parse(readFileSync(join(referenceDir(), 'weightedtau-cases.json'), 'utf8')).cases as {
      x: number[];
      y: number[];
      weightedtau: number;
    }[];
    const c = cases.find((k) => k.x.length >= 8 && Number.isFinite(k.weightedtau))!;
    const csv = (v: number[]) => `model,value\n${v.map((x, i) => `m${i},${x}`).join('\n')}\n`;
    const r = await run([
      'agreement',
      '--scores',
      file('s.csv', csv(c.x)),
      '--truth',
      file('t.csv', csv(c.y)),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(Math.abs(JSON.parse(r.stdout).weightedTau - c.weightedtau)).toBeLessThanOrEqual(1e-12);
  });

  it('negates scores with --lower-is-better', async () => {
    const neg = file('neg.json', { a: -0.5, b: -0.9, c: -0.1, d: -0.2 });
    const a = await run(['agreement', '--scores', scores, '--truth', truth, '--format', 'json']);
    const b = await run([
      'agreement',
      '--scores',
      neg,
      '--truth',
      truth,
      '--format',
      'json',
      '--lower-is-better',
    ]);
    expect(b.stdout).toBe(a.stdout);
  });

  it('prints a table and CSV', async () => {
    const t = await run(['agreement', '--scores', scores, '--truth', truth]);
    expect(t.code).toBe(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['figure', 'value']);
    expect(lines.map((l) => l.split(/\s+/)[0])).toContain('regret1');
    expect(lines.at(-1)?.split(/\s+/)).toEqual(['models', '4']);
    const c = await run(['agreement', '--scores', scores, '--truth', truth, '--format', 'csv']);
    const [header, row] = c.stdout.trimEnd().split('\n');
    expect(header).toBe('weightedTau,kendallTau,pearson,spearman,weightedPearson,rel1,rel3,regret1');
    expect(row.split(',').at(-1)).toBe('5');
  });

  it('uses a published table by id and dataset', async () => {
    const pets = JSON.parse(
      readFileSync(join(referenceDir(), 'ground-truth', 'classification-cnn.json'), 'utf8'),
    ).pets as Record<string, number>;
    // a score equal to the truth itself agrees perfectly
    const r = await run([
      'agreement',
      '--scores',
      file('pets.json', pets),
      '--truth',
      'paper-cnn',
      '--dataset',
      'pets',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.weightedTau).toBeCloseTo(1, 14);
    expect(out.regret1).toBe(0);
  });

  it('two models: ±1 as scipy gives for n = 2 (scripts/trust_reference.py)', async () => {
    const r = await run([
      'agreement',
      '--scores',
      file('pair.json', { a: 0.3, b: -0.1 }),
      '--truth',
      file('pair-truth.json', { a: 91, b: 93.5 }),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ weightedTau: -1, kendallTau: -1, pearson: -1, rel3: 1, regret1: 2.5 });
    expect(out.spearman).toBeCloseTo(-1, 15);
    expect(out.weightedPearson).toBeCloseTo(-1, 15);
  });

  it('model names __proto__, constructor and toString are all compared (JSON and CSV)', async () => {
    const json = '{"__proto__": 3, "constructor": 2, "toString": 1}';
    const t = '{"__proto__": 90, "constructor": 80, "toString": 70}';
    const r = await run([
      'agreement',
      '--scores',
      file('proto.json', json),
      '--truth',
      file('proto-truth.json', t),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)?.split(/\s+/)).toEqual(['models', '3']);
    const csv = await run([
      'agreement',
      '--scores',
      file('proto.csv', 'model,score\n__proto__,1\nconstructor,2\ntoString,3\n'),
      '--truth',
      file('proto-truth.csv', 'model,acc\n__proto__,70\nconstructor,80\ntoString,90\n'),
      '--format',
      'json',
    ]);
    expect(csv.code).toBe(0);
    expect(JSON.parse(csv.stdout).weightedTau).toBe(1);
  });

  it('names the model missing from the truth, and refuses fewer than two models', async () => {
    const r = await run([
      'agreement',
      '--scores',
      file('extra.json', { a: 1, b: 2, zz: 3 }),
      '--truth',
      truth,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"zz"');
    expect(r.stderr).toContain('[MODEL_NOT_IN_TRUTH]');
    const f = await run(['agreement', '--scores', file('one.json', { a: 1 }), '--truth', truth]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('[TOO_FEW_MODELS]');
  });

  it('warns on stderr when every score is the same, and keeps the figures finite', async () => {
    const r = await run([
      'agreement',
      '--scores',
      file('flat.json', { a: 1, b: 1, c: 1, d: 1 }),
      '--truth',
      truth,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning');
    for (const v of Object.values(JSON.parse(r.stdout))) expect(Number.isFinite(v)).toBe(true);
  });

  it('needs both files', async () => {
    expect((await run(['agreement', '--scores', scores])).code).toBe(2);
    expect((await run(['agreement', '--truth', truth])).code).toBe(2);
  });
});
