import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from './csv';
import { reportToHtml } from './html';
import { type BenchReport, parseReport } from './schema';
import { sampleReport } from './testing';
import { type ReportPaths, writeReports } from './write';

/**
 * A minimal RFC 4180 reader written for this test (independent of the writer): quoted fields with
 * doubled quotes, commas and line breaks inside quotes, `\n` record ends.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

let dir: string;
let paths: ReportPaths;
let files: { json: string; csv: string; md: string; html: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emms-report-'));
  paths = await writeReports(sampleReport(), join(dir, 'out', 'nested'));
  files = {
    json: await readFile(paths.json, 'utf8'),
    csv: await readFile(paths.csv, 'utf8'),
    md: await readFile(paths.md, 'utf8'),
    html: await readFile(paths.html, 'utf8'),
  };
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('creates the folder and writes exactly the four files, no temporary file left', async () => {
    expect(Object.keys(paths).sort()).toEqual(['csv', 'html', 'json', 'md']);
    expect((await readdir(join(dir, 'out', 'nested'))).sort()).toEqual([
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
    ]);
  });

  it('report.json is the validated report', () => {
    expect(parseReport(files.json)).toEqual(sampleReport());
  });

  it('no NaN, Infinity, undefined or null text in any file', () => {
    for (const [name, text] of Object.entries(files)) {
      expect(text, name).not.toMatch(/NaN|Infinity|undefined|\bnull\b/);
    }
  });

  it('replaces an earlier report in place and leaves no temporary file', async () => {
    const r = sampleReport();
    r.notes.push('second run');
    const again = await writeReports(r, join(dir, 'out', 'nested'));
    expect(await readFile(again.json, 'utf8')).toContain('second run');
    expect((await readdir(join(dir, 'out', 'nested'))).length).toBe(4);
  });
});

describe('report.csv', () => {
  const rows = () => {
    const parsed = parseCsv(files.csv);
    const [header, ...body] = parsed;
    return {
      header: header!,
      body: body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]!]))),
      widths: body.map((cells) => cells.length),
    };
  };

  it('parses back: the documented header and the same number of cells on every row', () => {
    const { header, widths } = rows();
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(new Set(widths)).toEqual(new Set([CSV_COLUMNS.length]));
  });

  it('has one score row per (task, model, score) with value, rank, seconds, warning, error', () => {
    const { body } = rows();
    const score = body.filter((r) => r.kind === 'score');
    // mnist: emms 6 values, logme 5 values + 1 error, hscore 6 values; cifar10: emms 3 values.
    expect(score.length).toBe(6 + 6 + 6 + 3);
    const warned = score.find(
      (r) => r.task === 'mnist' && r.ranking === 'emms' && r.model === 'mobilenet-v2',
    )!;
    expect(warned.rank).toBe('2');
    expect(Number(warned.value)).toBe(-0.455);
    expect(Number(warned.seconds)).toBe(0.33);
    expect(warned.warning).toContain('D = 1280 ≥ N = 1000');
    const failed = score.find((r) => r.ranking === 'logme' && r.model === 'pixels')!;
    expect(failed.value).toBe('');
    expect(failed.rank).toBe('');
    expect(failed.error_code).toBe('DEGENERATE_INPUT');
    const top = score.find((r) => r.task === 'mnist' && r.ranking === 'hscore' && r.model === 'pixels')!;
    expect(top.rank).toBe('1');
  });

  it('keeps quotes and commas of messages intact', () => {
    const { body } = rows();
    const broken = body.find((r) => r.kind === 'model' && r.model === 'broken-net' && r.figure === 'error')!;
    expect(broken.error_code).toBe('MODEL_INVALID');
    expect(broken.error_message).toBe(
      'models/broken-net.onnx: not an ONNX model ("bad magic"), re-export it',
    );
  });

  it('has agreement rows per figure, interval ends included, and sweep rows', () => {
    const { body } = rows();
    const a = (truth: string, ranking: string, figure: string) =>
      body.find(
        (r) =>
          r.kind === 'agreement' &&
          r.task === 'mnist' &&
          r.truth === truth &&
          r.ranking === ranking &&
          r.figure === figure,
      );
    expect(Number(a('linear-probe', 'hscore', 'weightedTau')!.value)).toBe(0.12);
    expect(Number(a('linear-probe', 'hscore', 'weightedTauLow')!.value)).toBe(-0.3);
    expect(Number(a('linear-probe', 'hscore', 'weightedTauHigh')!.value)).toBe(0.5);
    expect(a('linear-probe', 'hscore', 'beatsBaselines')!.value).toBe('0');
    expect(a('knn', 'emms', 'beatsBaselines')!.value).toBe('1');
    expect(a('knn', 'emms', 'weightedTauLow')).toBeUndefined();
    expect(a('linear-probe', 'file-size', 'weightedTau')!.ranking_kind).toBe('baseline');
    const warned = body.find(
      (r) =>
        r.kind === 'agreement' &&
        r.task === 'paper-cnn/cifar10' &&
        r.ranking === 'emms' &&
        r.figure === 'weightedTau',
    )!;
    expect(warned.warning).toBe('only 3 models: rel@3 is 1 by construction');
    const sweep = body.filter((r) => r.kind === 'sweep' && r.ranking === 'emms');
    expect(sweep.map((r) => r.figure)).toEqual([
      'trainPerClass=20:weightedTau',
      'trainPerClass=20:weightedTauLow',
      'trainPerClass=20:weightedTauHigh',
      'trainPerClass=50:weightedTau',
      'trainPerClass=100:weightedTau',
      'trainPerClass=200:weightedTau',
    ]);
  });

  it('has summary rows: the mean weighted τ and the published values', () => {
    const { body } = rows();
    const sum = body.filter((r) => r.kind === 'summary');
    expect(sum.map((r) => [r.ranking, r.figure, Number(r.value)])).toEqual([
      ['emms', 'meanWeightedTau', 1],
      ['feature-dim', 'meanWeightedTau', -0.5],
      ['leep', 'publishedWeightedTau', 0.41],
      ['logme', 'publishedWeightedTau', 0.51],
      ['parc', 'publishedWeightedTau', 0.468],
      ['nleep', 'publishedWeightedTau', 0.612],
      ['sfda', 'publishedWeightedTau', 0.71],
    ]);
    expect(sum.every((r) => r.truth === 'paper-cnn' && r.task === '')).toBe(true);
  });

  it('has ground-truth rows with their ranks', () => {
    const { body } = rows();
    const t = body.filter((r) => r.kind === 'truth' && r.truth === 'knn');
    expect(t.length).toBe(6);
    expect(t.find((r) => r.model === 'pixels')!.rank).toBe('3');
  });
});

describe('report.md', () => {
  it('ranks the models by the ground truth with each score rank beside it', () => {
    const md = files.md;
    expect(md).toContain('### Models ranked by linear-probe');
    expect(md).toContain(
      '| model | source | D | file | params | extract | linear-probe | knn | emms | logme | hscore |',
    );
    expect(md).toContain('| model | source | D | file | extract | paper-cnn | emms |');
    expect(md).toContain(
      '| resnet18 | zoo | 512 | 44.6 MiB | 11,700,000 | 41.20 s | 0.962 (#1) | 0.951 (#1) | 1 | 2 | 5 |',
    );
    expect(md).toContain('| pixels | pixels | 784 |  |  | 0 s | 0.915 (#4) | 0.93 (#3) | 4 | **✗** | 1 |');
    expect(md).toContain('| ~~broken-net~~ **✗ MODEL\\_INVALID** | onnx |');
    expect(md).toContain(
      '| MobileNet &lt;v2&gt; &amp; "lite" | zoo | 1280 | 13.4 MiB | 3,500,000 | cached | 0.948 (#2) | 0.94 (#2) | 2 ⚠ |',
    );
    // The failed model comes last.
    const lines = md.split('\n');
    const first = lines.findIndex((l) => l.startsWith('| resnet18 |'));
    const broken = lines.findIndex((l) => l.includes('broken-net~~'));
    expect(broken).toBe(first + 6);
  });

  it('has the agreement table with intervals, baselines and the not-beating mark', () => {
    const md = files.md;
    expect(md).toContain('| ranking | kind | weighted τ [95% interval] | Kendall τ-b | Pearson |');
    expect(md).toContain(
      '| hscore | score | 0.120 [-0.300, 0.500] | 0.108 | 0.114 | 0.110 | 0.952 | 1.000 | 0.0460 | **no** (file-size, feature-dim) | 2.90 s |',
    );
    expect(md).toContain('| _file-size_ | baseline | 0.520 |');
    expect(md).toContain('**Not better than a static baseline** against linear-probe: hscore.');
    expect(md).toContain('### Static baselines');
    expect(md).toContain('| file-size | model file size in bytes | 46,800,000 | 14,000,000 |');
  });

  it('puts the summaries first, the published values beside the measured means', () => {
    const md = files.md;
    expect(md).toContain('## Summary: mean weighted τ against paper-cnn over 1 dataset');
    expect(md).toContain('| ranking | kind | tasks | mean weighted τ | published |');
    expect(md).toContain('| emms | score | 1 | 1.000 |  |');
    expect(md).toContain('| logme | score | 0 | not run | 0.510 |');
    expect(md).toContain('| _feature-dim_ | baseline | 1 | -0.500 |  |');
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Task mnist'));
  });

  it('shows seconds, the speed-up, F-label K, reduce, warnings, errors, sweep and notes', () => {
    const md = files.md;
    expect(md).toContain('| logme | 6 | 8.71 s | 1.45 s |');
    expect(md).toContain('**Speed:** EMMS is 6.9× faster than LogME (EMMS 1.26 s, LogME 8.71 s)');
    expect(md).toContain('F-labels: K = 2 label embeddings from use-lite × 2 templates');
    expect(md).toContain('Preprocessing: reduce `auto`; components kept: resnet18 64');
    expect(md).toContain('- Preprocessing: reduce `none`.');
    expect(md).toContain('### Warnings\n\n- emms on MobileNet &lt;v2&gt; &amp; "lite": features wider');
    expect(md).toContain('- logme on pixels: `DEGENERATE_INPUT` features: constant columns only; drop them');
    expect(md).toContain('| 20 | 200 | 0.410 [0.050, 0.700] | -0.200 | 0.000 |');
    expect(md).toContain('- efficientnet-lite4 left out of the default run');
    expect(md).toContain('## Task paper-cnn/cifar10 (dataset cifar10)');
    expect(md).toContain('- ⚠ emms: only 3 models: rel@3 is 1 by construction');
    expect(md).toContain(
      'published fine-tuning accuracy (shipped table); unit: top-1 accuracy, %; source: published with the EMMS code',
    );
  });
});

describe('report.html', () => {
  it('has one SVG chart per figure: scatters per score and truth, agreement bars, seconds, sweep', () => {
    const html = files.html;
    // summary 1; mnist: 2 truths × (1 agreement chart + 3 scatters) + seconds + sweep = 10; cifar10: 1 + 1 + 1 = 3.
    expect(html.match(/<figure><svg /g)?.length).toBe(14);
    expect(html.match(/<svg /g)?.length).toBe(14);
    for (const title of [
      'emms vs linear-probe',
      'hscore vs knn',
      'emms vs paper-cnn',
      'Weighted τ against linear-probe',
      'Weighted τ against knn',
      'Seconds per score (all models)',
      'Weighted τ against linear-probe by train size',
      'N = D = 1280',
      'mean weighted τ against paper-cnn over 1 dataset',
    ]) {
      expect(html, title).toContain(title);
    }
  });

  it('is self-contained: no script, no stylesheet link, no URL in src/href, http only in xmlns', () => {
    const html = files.html;
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import/i);
    // The only url(…) references are to clip paths inside the same SVG.
    expect(html.match(/url\([^)]*\)/g)?.every((u) => /^url\(#[\w-]+\)$/.test(u))).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?[a-z][a-z0-9+.-]*:/i);
    // The only links are to the page's own sections.
    expect(html.match(/href="[^"]*"/g)).toEqual(['href="#task-1"', 'href="#task-2"']);
    const withoutNamespaces = html.replace(/xmlns(?::\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:/);
  });

  it('escapes report text everywhere, charts included', async () => {
    const html = files.html;
    expect(html).not.toContain('<v2>');
    expect(html).toContain('MobileNet &lt;v2&gt; &amp; &quot;lite&quot;');
    const r = sampleReport();
    r.tasks[1]!.id = '<script>alert(1)</script>';
    r.summaries[0]!.tasks = ['<script>alert(1)</script>'];
    r.tasks[1]!.models[0]!.label = '</svg><script>x</script>';
    const evil = await reportToHtml(parseReport(r));
    expect(evil).not.toMatch(/<script/i);
    expect(evil).toContain('&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;');
    // Every chart still closes where it should: as many </svg> as <svg.
    expect(evil.match(/<\/svg>/g)?.length).toBe(evil.match(/<svg /g)?.length);
  });

  it('renders degenerate data (one sweep point, constant scores) without NaN or Infinity', async () => {
    const r = sampleReport();
    const t = r.tasks[1]!;
    t.scores.emms!.values = { resnet50: 0, densenet121: 0, mobilenet_v2: 0 };
    t.groundTruth['paper-cnn']!.values = { resnet50: 1, densenet121: 1, mobilenet_v2: 1 };
    t.scores.emms!.seconds = { resnet50: 0, densenet121: 0, mobilenet_v2: 0 };
    t.sweep = {
      truth: 'paper-cnn',
      points: [{ trainPerClass: 5, nTrain: 15, scores: { emms: { weightedTau: 0 } } }],
    };
    const html = await reportToHtml(parseReport(r));
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    expect(html).toContain('Weighted τ against paper-cnn by train size');
  });

  it('is the same text for the same report, up to the per-process numbering of SVG ids and classes', async () => {
    const norm = (h: string) => h.replace(/\bzr\d+-(?:cls-\d+|c\d+)\b/g, 'zr-id');
    expect(norm(await reportToHtml(sampleReport()))).toBe(norm(files.html));
  });
});

describe('a minimal report', () => {
  it('renders a task with no ground truth, no score and no optional part', async () => {
    const r = parseReport({
      schema: 'emms-bench-report',
      version: 1,
      run: {
        createdAt: '2026-12-03T09:00:00Z',
        command: 'emms bench --models a,b',
        machine: { cpus: 1, platform: 'linux', arch: 'x64', nodeVersion: 'v20.19.0', backend: 'js' },
        seconds: 0,
      },
      tasks: [
        {
          id: 't',
          dataset: 'd',
          preprocessing: { reduce: 'none' },
          models: [
            { id: 'a', source: 'features', extractSeconds: 0, cached: false },
            {
              id: 'b',
              source: 'features',
              extractSeconds: 0,
              cached: false,
              error: { code: 'FILE_NOT_FOUND', message: 'b.npy: no such file' },
            },
          ],
          groundTruth: {},
          scores: {},
          baselines: {},
          agreement: {},
        },
      ],
    });
    const out = join(dir, 'minimal');
    const p = await writeReports(r, out);
    const html = await readFile(p.html, 'utf8');
    const md = await readFile(p.md, 'utf8');
    const csv = await readFile(p.csv, 'utf8');
    for (const text of [html, md, csv]) expect(text).not.toMatch(/NaN|Infinity|undefined|\bnull\b/);
    expect(html).not.toContain('<svg');
    expect(md).toContain('| a | features |  |  | 0 s |');
    expect(md).toContain('- model b: `FILE_NOT_FOUND` b\\.npy: no such file');
    // header, extractSeconds of a and b, the error of b
    expect(parseCsv(csv).length).toBe(1 + 3);
  });
});

describe('writeReports failures', () => {
  it('rejects an invalid report before writing anything', async () => {
    const r = JSON.parse(JSON.stringify(sampleReport())) as BenchReport;
    r.tasks[0]!.scores.emms!.values.resnet18 = Number.NaN;
    const out = join(dir, 'never');
    await expect(writeReports(r, out)).rejects.toSatisfy(
      (e: unknown) =>
        isEmmsError(e, 'REPORT_INVALID') &&
        (e as Error).message.includes('tasks[0].scores.emms.values.resnet18'),
    );
    await expect(readdir(out)).rejects.toThrow();
  });

  it('names the folder when it cannot be created', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(writeReports(sampleReport(), join(file, 'out'))).rejects.toSatisfy(
      (e: unknown) =>
        isEmmsError(e, 'FILE_UNWRITABLE') && (e as { input?: string }).input === join(file, 'out'),
    );
  });

  it('names the file it cannot replace, and leaves neither temporary files nor a partial set', async () => {
    const out = join(dir, 'blocked');
    // A folder where report.csv (the first rename) should go.
    await mkdir(join(out, 'report.csv', 'inside'), { recursive: true });
    await expect(writeReports(sampleReport(), out)).rejects.toSatisfy(
      (e: unknown) =>
        isEmmsError(e, 'FILE_UNWRITABLE') && (e as { input?: string }).input === join(out, 'report.csv'),
    );
    expect(await readdir(out)).toEqual(['report.csv']);
  });

  it('renames report.json last, so an old report.json survives a failure on another file', async () => {
    const out = join(dir, 'json-last');
    await mkdir(join(out, 'report.html', 'inside'), { recursive: true });
    await writeFile(join(out, 'report.json'), 'old');
    await expect(writeReports(sampleReport(), out)).rejects.toSatisfy((e: unknown) =>
      isEmmsError(e, 'FILE_UNWRITABLE'),
    );
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('old');
    expect((await readdir(out)).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.md']);
  });

  it('rejects a maxItemChars that is not a count, naming the option', async () => {
    for (const bad of [-1, Number.NaN]) {
      await expect(
        writeReports(sampleReport(), join(dir, 'bad-option'), { maxItemChars: bad }),
      ).rejects.toSatisfy(
        (e: unknown) =>
          isEmmsError(e, 'INVALID_OPTION') && (e as { input?: string }).input === 'maxItemChars',
      );
    }
  });

  it('leaves per-item correctness out above maxItemChars and says so', async () => {
    const out = join(dir, 'trimmed');
    const p = await writeReports(sampleReport(), out, { maxItemChars: 100 });
    const back = parseReport(await readFile(p.json, 'utf8'));
    expect(back.tasks[0]!.groundTruth['linear-probe']!.correct).toBeUndefined();
    expect(back.notes.at(-1)).toBe(
      'Per-item correctness (3000 items in all) left out of report.json: above the 100 limit.',
    );
  });
});
