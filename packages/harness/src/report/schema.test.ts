import { isEmmsError } from '@emms/tensor-io';
import { describe, expect, it } from 'vitest';
import { fmtValue, orderedModels, rankModels } from './format';
import { type BenchReport, benchReportJsonSchema, decodeCorrect, encodeCorrect, parseReport } from './schema';
import { summarizeAgreement } from './summary';
import { sampleReport } from './testing';

/** Runs `f`, expects a REPORT_INVALID EmmsError, returns its message. */
function invalidMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isEmmsError(e, 'REPORT_INVALID')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected REPORT_INVALID, nothing was thrown');
}

/** A deep copy of the sample report as plain JSON (the form a reader gets from report.json). */
function sampleJson(): BenchReport {
  return JSON.parse(JSON.stringify(sampleReport())) as BenchReport;
}

describe('BenchReport schema', () => {
  it('round-trips the sample report through JSON text unchanged', () => {
    const r = sampleReport();
    const back = parseReport(JSON.stringify(r));
    expect(back).toEqual(r);
    expect(back.schema).toBe('emms-bench-report');
    expect(back.version).toBe(1);
    expect(back.tasks.map((t) => t.id)).toEqual(['mnist', 'paper-cnn/cifar10']);
  });

  it('fills defaults a writer may leave out (warnings, errors, notes, higherIsBetter)', () => {
    const r = sampleJson();
    const knn = r.tasks[0]!.groundTruth.knn! as Partial<BenchReport['tasks'][0]['groundTruth'][string]>;
    delete knn.higherIsBetter;
    delete (r.tasks[1]! as Partial<BenchReport['tasks'][0]>).notes;
    const back = parseReport(r);
    expect(back.tasks[0]!.groundTruth.knn!.higherIsBetter).toBe(true);
    expect(back.tasks[1]!.notes).toEqual([]);
    // logme in the sample gives no warnings; the default is an empty record.
    expect(back.tasks[0]!.scores.logme!.warnings).toEqual({});
  });

  it('rejects a non-finite value naming the field by path', () => {
    const r = sampleJson();
    r.tasks[1]!.scores.emms!.values.resnet50 = Number.NaN;
    expect(invalidMessage(() => parseReport(r))).toContain('tasks[1].scores.emms.values.resnet50');
    const s = sampleJson();
    s.tasks[0]!.agreement['linear-probe']!.emms!.weightedTau = Number.POSITIVE_INFINITY;
    expect(invalidMessage(() => parseReport(s))).toContain(
      'tasks[0].agreement["linear-probe"].emms.weightedTau',
    );
  });

  it('rejects null (JSON of NaN) with the path of the field', () => {
    const text = JSON.stringify(sampleReport()).replace('"weightedTau":0.83', '"weightedTau":null');
    expect(invalidMessage(() => parseReport(text))).toContain(
      'tasks[0].agreement["linear-probe"].emms.weightedTau',
    );
  });

  it('rejects an unknown field, naming the object and the key', () => {
    const r = sampleJson() as unknown as { tasks: { models: Record<string, unknown>[] }[] };
    r.tasks[0]!.models[2]!.featureDimm = 3;
    const msg = invalidMessage(() => parseReport(r));
    expect(msg).toContain('tasks[0].models[2]');
    expect(msg).toContain('featureDimm');
  });

  it('rejects per-model values of a model the task does not list', () => {
    const r = sampleJson();
    r.tasks[0]!.scores.hscore!.values.ghost = 1;
    const msg = invalidMessage(() => parseReport(r));
    expect(msg).toContain('tasks[0].scores.hscore.values.ghost');
    expect(msg).toContain('not a model of this task');
  });

  it('rejects agreement rows of unknown rankings and unknown ground truths', () => {
    const r = sampleJson();
    r.tasks[0]!.agreement.knn!.nope = r.tasks[0]!.agreement.knn!.emms!;
    expect(invalidMessage(() => parseReport(r))).toContain('tasks[0].agreement.knn.nope');
    const s = sampleJson();
    s.tasks[0]!.sweep!.truth = 'fine-tune';
    expect(invalidMessage(() => parseReport(s))).toContain('tasks[0].sweep.truth');
  });

  it('rejects a bad reduce option, a duplicate model id, an inverted interval', () => {
    const r = sampleJson();
    r.tasks[0]!.preprocessing.reduce = 'pca:0';
    expect(invalidMessage(() => parseReport(r))).toContain('tasks[0].preprocessing.reduce');
    const d = sampleJson();
    d.tasks[1]!.models[2]!.id = 'resnet50';
    expect(invalidMessage(() => parseReport(d))).toContain('tasks[1].models[2].id');
    const i = sampleJson();
    i.tasks[0]!.agreement['linear-probe']!.emms!.weightedTauInterval = {
      low: 0.9,
      high: 0.1,
      level: 0.95,
      reps: 10,
    };
    expect(invalidMessage(() => parseReport(i))).toContain(
      'tasks[0].agreement["linear-probe"].emms.weightedTauInterval.low',
    );
  });

  it('rejects another schema, another version and text that is not JSON', () => {
    const r = sampleJson() as unknown as Record<string, unknown>;
    r.version = 2;
    expect(invalidMessage(() => parseReport(r))).toMatch(/^report does not match .*version/);
    r.version = 1;
    r.schema = 'something-else';
    expect(invalidMessage(() => parseReport(r))).toContain('schema');
    expect(invalidMessage(() => parseReport('{"schema": '))).toContain('not valid JSON');
  });

  it('lists every issue in details, the first path as input', () => {
    const r = sampleJson();
    r.run.machine.cpus = 0;
    r.tasks[0]!.split!.seed = 1.5;
    try {
      parseReport(r);
      expect.unreachable();
    } catch (e) {
      expect(isEmmsError(e, 'REPORT_INVALID')).toBe(true);
      const err = e as { input?: string; details?: { issues: { path: string }[] } };
      const paths = err.details!.issues.map((x) => x.path);
      expect(paths).toContain('run.machine.cpus');
      expect(paths).toContain('tasks[0].split.seed');
      expect(paths).toContain(err.input);
    }
  });

  it('rejects a summary over a task that is missing or lacks the ground truth', () => {
    const r = sampleJson();
    r.summaries[0]!.tasks = ['paper-cnn/cifar10', 'nope'];
    expect(invalidMessage(() => parseReport(r))).toContain('summaries[0].tasks[1]: "nope" is not a task');
    r.summaries[0]!.tasks = ['mnist'];
    expect(invalidMessage(() => parseReport(r))).toContain('task "mnist" has no ground truth "paper-cnn"');
  });

  it('encodes per-item correctness as a 0/1 string and back', () => {
    expect(encodeCorrect(new Uint8Array([1, 0, 0, 1, 1]))).toBe('10011');
    expect([...decodeCorrect('10011')]).toEqual([1, 0, 0, 1, 1]);
    expect(encodeCorrect([])).toBe('');
    expect(invalidMessage(() => decodeCorrect('10x'))).toContain('character 2 is "x"');
    const r = sampleReport();
    expect(decodeCorrect(r.tasks[0]!.groundTruth['linear-probe']!.correct!.resnet18!).length).toBe(500);
  });

  it('exports a JSON Schema naming the document and describing its fields', () => {
    const js = benchReportJsonSchema() as {
      properties: Record<string, { const?: unknown; description?: string }>;
      required: string[];
    };
    expect(js.properties.schema!.const).toBe('emms-bench-report');
    expect(js.properties.version!.const).toBe(1);
    expect(js.required).toEqual(expect.arrayContaining(['schema', 'version', 'run', 'tasks']));
    expect(JSON.stringify(js)).toContain('principal components kept per model id');
  });
});

describe('report helpers', () => {
  it('summarizes agreement over the tasks sharing a ground truth', () => {
    const r = sampleReport();
    const dtd = structuredClone(r.tasks[1]!);
    dtd.id = 'paper-cnn/dtd';
    dtd.agreement['paper-cnn'] = { emms: { ...dtd.agreement['paper-cnn']!.emms!, weightedTau: 0.5 } };
    const sum = summarizeAgreement([...r.tasks, dtd], 'paper-cnn', {
      published: { source: 'paper', values: { logme: 0.51 } },
    });
    // mnist has no paper-cnn truth; emms: (1 + 0.5) / 2; feature-dim only in cifar10.
    expect(sum.tasks).toEqual(['paper-cnn/cifar10', 'paper-cnn/dtd']);
    expect(sum.meanWeightedTau).toEqual({ emms: 0.75, 'feature-dim': -0.5 });
    expect(sum.counts).toEqual({ emms: 2, 'feature-dim': 1 });
    expect(sum.kinds).toEqual({ emms: 'score', 'feature-dim': 'baseline' });
    expect(sum.description).toBe('mean weighted τ against paper-cnn over 2 task(s)');
    expect(sum.published?.values.logme).toBe(0.51);
    r.tasks.push(dtd);
    r.summaries = [sum];
    expect(parseReport(r).summaries[0]).toEqual(sum);
    expect(invalidMessage(() => summarizeAgreement(r.tasks, 'fine-tune'))).toContain('"fine-tune"');
  });

  it('ranks by competition ranking in the given direction', () => {
    expect([...rankModels({ a: 0.9, b: 0.5, c: 0.9, d: 0.1 }, true)]).toEqual([
      ['a', 1],
      ['c', 1],
      ['b', 3],
      ['d', 4],
    ]);
    expect(rankModels({ a: 3, b: 1, c: 2 }, false).get('a')).toBe(3);
    expect(rankModels({ a: 3, b: 1, c: 2 }, false).get('b')).toBe(1);
  });

  it('orders models by the primary ground truth, failed models last', () => {
    expect(orderedModels(sampleReport().tasks[0]!)).toEqual([
      'resnet18',
      'mobilenet-v2',
      'squeezenet',
      'pixels',
      'ppocr-det',
      'blazeface',
      'broken-net',
    ]);
  });

  it('formats values compactly', () => {
    expect(fmtValue(46_800_000)).toBe('46,800,000');
    expect(fmtValue(512)).toBe('512');
    expect(fmtValue(0.123456)).toBe('0.1235');
    expect(fmtValue(-0.00001234)).toBe('-1.234e-5');
    expect(fmtValue(0)).toBe('0');
  });
});
