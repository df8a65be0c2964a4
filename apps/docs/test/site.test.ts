// The built site in a real browser: Debian's chromium driven by playwright-core. Every page loads
// without console errors, navigation works, the playground's scores equal the CLI's, a bad file
// shows its typed error while the page keeps working, and screenshots are saved.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeReports } from '@emms/harness';
import { agreement } from '@emms/harness/agreement';
import { sampleReport } from '@emms/harness/testing';
import { referenceDir } from '@emms/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-server';

const run = promisify(execFile);
const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(app, '../..');
const dist = join(app, 'dist');
const cliBin = join(repo, 'apps/cli/dist/bin.js');
const shots = join(app, 'screenshots');
const CHROMIUM = process.env.EMMS_CHROMIUM ?? '/usr/bin/chromium';
// The flags TOOLCHAIN.md gives for headless chromium on these machines (the user-data-dir is the
// fresh folder passed to launchPersistentContext).
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server: Awaited<ReturnType<typeof serveStatic>>;
let context: BrowserContext;
let userDataDir: string;
let work: string;
const saved: string[] = [];

/** Opens a page that records console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('worker', (w) =>
    w.on('console', (m) => m.type() === 'error' && errors.push(`worker: ${m.text()}`)),
  );
  return { page, errors };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  saved.push(path);
}

/** The CLI's own JSON output for one model (JS backend, like the browser). */
async function cliScores(args: string[]): Promise<Record<string, number>> {
  const { stdout } = await run('node', [cliBin, 'score', ...args, '--format', 'json'], {
    env: { ...process.env, EMMS_LINALG: 'js' },
  });
  return JSON.parse(stdout).scores;
}

/** Reads the playground's full-precision results from its hidden JSON block. */
async function playgroundResult(page: Page) {
  await page.waitForSelector('[data-test="results"]', { timeout: 90_000 });
  const text = await page.locator('[data-test="result-json"]').textContent();
  return JSON.parse(text ?? '{}') as {
    rows: { model: string; scores: Record<string, number>; errors: Record<string, { code: string }> }[];
    agreement: Record<string, Record<string, number>>;
  };
}

function expectClose(actual: number, expected: number, what: string) {
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(
      `${what}: playground ${actual} vs CLI ${expected} (difference ${Math.abs(actual - expected)})`,
    );
  }
}

async function selectAllScores(page: Page) {
  for (const box of await page.locator('input[data-test^="score-"]').all()) await box.check();
}

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist} has no built site: run \`pnpm docs:build\` first`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium; tooling/setup.sh does)`,
    );
  }
  if (!existsSync(cliBin)) throw new Error(`${cliBin} not found: build the CLI (pnpm build)`);
  server = await serveStatic(dist);
  userDataDir = mkdtempSync(join(tmpdir(), 'emms-docs-chromium-'));
  work = mkdtempSync(join(tmpdir(), 'emms-docs-test-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
  for (const p of saved) console.log(`screenshot: ${p}`);
});

/** Every built page (the API reference has one page per package). */
function sitePages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'assets' && e.name !== 'examples') walk(p);
      } else if (e.name.endsWith('.html') && e.name !== '404.html') pages.push(`/${relative(dist, p)}`);
    }
  };
  walk(dist);
  return pages.sort();
}

describe('the built docs site in chromium', () => {
  it('loads every page without console errors', async () => {
    const { page, errors } = await openPage();
    const pages = sitePages();
    expect(pages.length).toBeGreaterThan(15);
    for (const path of pages) {
      const before = errors.length;
      const response = await page.goto(server.url + path, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(200);
      await expect(page.locator('h1').first().textContent()).resolves.toBeTruthy();
      const fresh = errors.slice(before);
      if (fresh.length > 0) throw new Error(`${path}:\n${fresh.join('\n')}`);
    }
    await page.close();
  });

  it('navigates from the home page to a score page and back', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await screenshot(page, 'home');
    await page.locator('.VPNavBar a', { hasText: 'Scores' }).first().click();
    await page.waitForURL(/\/scores\/(index\.html)?$/);
    await page.locator('.vp-doc h1', { hasText: 'Scores' }).waitFor();
    await page.locator('.vp-doc a[href*="emms"]', { hasText: 'EMMS' }).first().click();
    await page.waitForURL(/\/scores\/emms(\.html)?$/);
    // Client-side navigation: the URL changes before the new page is rendered.
    await page.locator('.vp-doc h1', { hasText: 'EMMS' }).waitFor();
    // The options table comes from the metric's own definition.
    await expect(page.locator('.vp-doc table').last().textContent()).resolves.toContain('iterations');
    await page.waitForSelector('mjx-container');
    await screenshot(page, 'score-emms');
    await page.goBack();
    await page.waitForURL(/\/scores\/(index\.html)?$/);
    await page.locator('.vp-doc h1', { hasText: 'Scores' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('scores the small reference fixture in the playground exactly as `emms score` does', async () => {
    const fx = join(referenceDir(), 'fixtures', 'small');
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/playground`);
    await page.waitForSelector('[data-test="models"]');
    await page.locator('[data-test="models"]').setInputFiles(join(fx, 'X.npy'));
    await page.locator('[data-test="labels"]').setInputFiles(join(fx, 'y.npy'));
    await page
      .locator('[data-test="flabels"]')
      .setInputFiles(['Z_bert.npy', 'Z_clip.npy', 'Z_gpt2.npy'].map((f) => join(fx, f)));
    await selectAllScores(page);
    await page.locator('[data-test="run"]').click();
    const result = await playgroundResult(page);
    const ids = Object.keys(result.rows[0].scores);
    expect(ids).toEqual(
      expect.arrayContaining(['emms', 'logme', 'sfda', 'transrate', 'hscore', 'gbc', 'nleep', 'parc']),
    );
    const cli = await cliScores([
      '--features',
      join(fx, 'X.npy'),
      '--labels',
      join(fx, 'y.npy'),
      '--flabels',
      ['Z_bert.npy', 'Z_clip.npy', 'Z_gpt2.npy'].map((f) => join(fx, f)).join(','),
      '--metrics',
      ids.join(','),
    ]);
    for (const id of ids) expectClose(result.rows[0].scores[id], cli[id], `small/${id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ranks the shipped multi-model example as the CLI scores it, with the agreement figures of the harness', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/playground`);
    await page.waitForSelector('[data-test="example"]');
    await page.locator('[data-test="example"]').click();
    const result = await playgroundResult(page);
    const ex = join(app, 'site', 'public', 'examples');
    const manifest = JSON.parse(readFileSync(join(ex, 'manifest.json'), 'utf8'));
    const truth = JSON.parse(readFileSync(join(ex, manifest.truth), 'utf8'));
    expect(result.rows.map((r) => `${r.model}.npy`).sort()).toEqual([...manifest.models].sort());
    const cliByScore: Record<string, Record<string, number>> = {};
    for (const row of result.rows) {
      const ids = Object.keys(row.scores);
      const cli = await cliScores([
        '--features',
        join(ex, `${row.model}.npy`),
        '--labels',
        join(ex, manifest.labels),
        '--flabels',
        manifest.flabels.map((f: string) => join(ex, f)).join(','),
        '--metrics',
        ids.join(','),
      ]);
      for (const id of ids) {
        expectClose(row.scores[id], cli[id], `${row.model}/${id}`);
        cliByScore[id] = { ...cliByScore[id], [row.model]: cli[id] };
      }
    }
    // The agreement figures equal the harness's on the CLI's scores and the example's ground truth.
    expect(Object.keys(result.agreement).sort()).toEqual(Object.keys(cliByScore).sort());
    for (const [id, scores] of Object.entries(cliByScore)) {
      const expected = agreement(scores, truth);
      for (const key of [
        'weightedTau',
        'kendallTau',
        'pearson',
        'spearman',
        'rel1',
        'rel3',
        'regret1',
      ] as const) {
        expectClose(result.agreement[id][key], expected[key], `agreement ${id}.${key}`);
      }
    }
    await expect(page.locator('[data-test="ranking"] tbody tr').count()).resolves.toBe(
      manifest.models.length,
    );
    await page.waitForSelector('[data-test="chart"] svg');
    await expect(page.locator('[data-test="agreement"] tbody tr').count()).resolves.toBe(
      Object.keys(cliByScore).length,
    );
    await screenshot(page, 'playground-results');
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!existsSync(join(dist, 'results', 'index.html')))(
    'renders the results pages from the bench report with visible charts',
    async () => {
      const { page, errors } = await openPage();
      await page.goto(`${server.url}/results/`);
      await expect(page.locator('h1').first().textContent()).resolves.toContain('Results');
      // a suite report: the cross-task section with its critical-difference diagram on the overview
      if (await page.locator('h2#across-tasks').count()) {
        const cd = page.locator('.emms-chart img').first();
        await expect(
          cd.evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth)),
        ).resolves.toBeGreaterThan(0);
        await screenshot(page, 'results-across-tasks');
      }
      const task = page.locator('.vp-doc table a').first();
      await task.click();
      await page.waitForSelector('.emms-chart img');
      for (const img of await page.locator('.emms-chart img').all()) {
        await expect(
          img.evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth)),
        ).resolves.toBeGreaterThan(0);
      }
      await screenshot(page, 'results-task');
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('shows a bad file’s typed error (the CLI’s message) beside it and keeps working', async () => {
    const fx = join(referenceDir(), 'fixtures', 'small');
    const bad = join(work, 'broken.npy');
    writeFileSync(bad, 'this is not a numpy file\n');
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/playground`);
    await page.waitForSelector('[data-test="models"]');
    await page.locator('[data-test="models"]').setInputFiles([bad, join(fx, 'X.npy')]);
    await page.locator('[data-test="labels"]').setInputFiles(join(fx, 'y.npy'));
    await page.locator('[data-test="run"]').click();
    await page.waitForSelector('[data-test="results"]');
    const shown = await page.locator('li[data-file="broken.npy"] [data-test="file-error"]').textContent();
    // The CLI on the same file: "emms: <path>: <message> [CODE]".
    const cli = await run(
      'node',
      [cliBin, 'score', '--features', bad, '--labels', join(fx, 'y.npy'), '--metrics', 'logme'],
      {
        env: { ...process.env, EMMS_LINALG: 'js' },
      },
    ).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    // The CLI adds which flag the file came from; the message and code are the library's, as here.
    const cliLine = cli
      .trim()
      .replace(/^emms: /, '')
      .replace(/ \(set with --[a-z-]+\)$/, '')
      .replaceAll(bad, basename(bad));
    expect(cliLine).toMatch(/\[[A-Z_]+\]$/);
    expect(shown?.trim()).toBe(cliLine);
    // The good model was still scored, and the page runs again.
    const first = await playgroundResult(page);
    expect(first.rows.map((r) => r.model)).toEqual(['X']);
    await page.locator('[data-test="models"]').setInputFiles(join(fx, 'X.npy'));
    await page.locator('[data-test="run"]').click();
    await page.waitForSelector('[data-test="results"]');
    await expect(page.locator('[data-test="file-error"]').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the harness report.html offline with its charts visible and no console errors', async () => {
    const out = join(work, 'report');
    const paths = await writeReports(sampleReport(), out);
    const { page, errors } = await openPage();
    const requests: string[] = [];
    await page.route(/^https?:/, (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await page.goto(`file://${paths.html}`, { waitUntil: 'load' });
    const charts = page.locator('svg');
    const count = await charts.count();
    expect(count).toBeGreaterThan(3);
    for (let i = 0; i < count; i++) {
      const box = await charts.nth(i).boundingBox();
      expect(box && box.width > 50 && box.height > 50, `chart ${i} is visible`).toBe(true);
    }
    await screenshot(page, 'report');
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
