import { describe, expect, it } from 'vitest';
import { markBeatsBaselines, staticBaselines } from './assemble';
import type { AgreementInfo } from './schema';
import { sampleReport } from './testing';

const row = (kind: 'score' | 'baseline', weightedTau: number): AgreementInfo => ({
  kind,
  models: 5,
  weightedTau,
  kendallTau: 0,
  pearson: 0,
  spearman: 0,
  weightedPearson: 0,
  rel1: 1,
  rel3: 1,
  regret1: 0,
});

describe('staticBaselines', () => {
  it('ranks by file size, feature width and parameters, keeping only facts two models have', () => {
    const models = sampleReport().tasks[0]!.models;
    const b = staticBaselines(models);
    expect(Object.keys(b)).toEqual(['file-size', 'feature-dim', 'params']);
    // pixels has no file; broken-net has a file but no features.
    expect(b['file-size']!.values).toEqual({
      resnet18: 46_800_000,
      'mobilenet-v2': 14_000_000,
      'ppocr-det': 2_400_000,
      blazeface: 400_000,
      squeezenet: 5_000_000,
      'broken-net': 1024,
    });
    expect(Object.keys(b['feature-dim']!.values)).toEqual([
      'resnet18',
      'mobilenet-v2',
      'ppocr-det',
      'blazeface',
      'pixels',
      'squeezenet',
    ]);
    expect(b.params!.values).toEqual({
      resnet18: 11_700_000,
      'mobilenet-v2': 3_500_000,
      blazeface: 100_000,
      squeezenet: 1_200_000,
    });
    expect(b.params!.higherIsBetter).toBe(true);
    // The second task's models are feature files: only the feature width is known.
    expect(Object.keys(staticBaselines(sampleReport().tasks[1]!.models))).toEqual(['feature-dim']);
  });
});

describe('markBeatsBaselines', () => {
  it('marks a score that is not strictly above every baseline and names those it does not beat', () => {
    const out = markBeatsBaselines({
      good: row('score', 0.8),
      tie: { ...row('score', 0.5), baselinesNotBeaten: ['stale'] },
      bad: row('score', 0.1),
      'file-size': row('baseline', 0.5),
      'feature-dim': row('baseline', 0.2),
    });
    expect(out.good!.beatsBaselines).toBe(true);
    expect(out.good!.baselinesNotBeaten).toBeUndefined();
    expect(out.tie!.beatsBaselines).toBe(false);
    expect(out.tie!.baselinesNotBeaten).toEqual(['file-size']);
    expect(out.bad!.baselinesNotBeaten).toEqual(['file-size', 'feature-dim']);
    expect(out['file-size']!.beatsBaselines).toBeUndefined();
  });

  it('leaves the mark out when there is no baseline', () => {
    expect(markBeatsBaselines({ s: row('score', 0.3) }).s!.beatsBaselines).toBeUndefined();
  });
});
