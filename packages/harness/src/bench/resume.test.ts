import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { describe, expect, it } from 'vitest';
import { parseBenchSpec } from '../spec';
import { writeTask } from './fixtures.test-helper';
import { runBench } from './run';

const here = fileURLToPath(new URL('.', import.meta.url));

function cacheEntries(dir: string): number {
  let n = 0;
  try {
    // results only (<k[0:2]>/<k>.json): the store also holds splits, step records and features
    for (const sub of readdirSync(dir).filter((d) => /^[0-9a-f]{2}$/.test(d)))
      n += readdirSync(join(dir, sub)).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
  return n;
}

describe('a killed run resumes from its cache', () => {
  it('SIGKILL midway; the rerun computes only the missing (model, score) results', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emms-kill-'));
    const models = Object.fromEntries(
      ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((m, i) => [m, { d: 3, signal: i / 2 }]),
    );
    await writeTask(join(root, 'f'), models, { perClass: 5 });
    writeFileSync(join(root, 'truth.json'), JSON.stringify({ m1: 1, m2: 2, m3: 3, m4: 4, m5: 5, m6: 6 }));
    const cache = join(root, 'cache');
    const spec = {
      tasks: [{ id: 'f', featuresDir: join(root, 'f'), labels: join(root, 'f', 'labels.npy') }],
      scores: ['slow-mean'],
      groundTruth: { table: join(root, 'truth.json') },
      cache,
    };
    const child = spawn(process.execPath, [join(here, 'test-data', 'kill-child.mjs'), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const exited = new Promise<NodeJS.Signals | null>((res) =>
      child.on('exit', (_code, signal) => res(signal)),
    );
    // kill it once two of the six results are in the cache (each takes about 0.4 s)
    const deadline = Date.now() + 20_000;
    while (cacheEntries(cache) < 2 && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');
    const before = cacheEntries(cache);
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(6);

    const { slowMetric } = await import('./test-data/slow-metric.mjs');
    const g = globalThis as { slowMetricCalls?: number };
    g.slowMetricCalls = 0;
    const registry = createRegistry([...builtinMetrics, slowMetric]);
    const { report } = await runBench(parseBenchSpec(spec), { registry, noWrite: true });
    expect(g.slowMetricCalls).toBe(6 - before);
    expect(report.run.cacheHits).toBe(before);
    expect(report.run.cacheMisses).toBe(6 - before);
    const cached = report.tasks[0]!.scores['slow-mean']!.cached!;
    expect(Object.values(cached).filter(Boolean)).toHaveLength(before);
    expect(Object.keys(report.tasks[0]!.scores['slow-mean']!.values)).toHaveLength(6);
  }, 40_000);
});
