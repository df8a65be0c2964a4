#!/usr/bin/env node
// Build-time generation for the docs site: the API reference (TypeDoc), one page per score (from the
// metric registry), the CLI reference (from the CLI's command definitions), the results pages (from a
// bench report.json, when one is present) and the sidebar. Everything written here is git-ignored.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateApi } from './api.mjs';
import { renderCliPages } from './cli-pages.mjs';
import { renderResultsPages } from './results-pages.mjs';
import { renderScorePages } from './score-pages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(here, '..');
const repo = resolve(app, '../..');
const site = join(app, 'site');
const generated = join(site, '.vitepress', 'generated');

/** Writes a file atomically (temporary file in the same folder, then rename). */
export function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function writePages(folder, pages) {
  rmSync(join(site, folder), { recursive: true, force: true });
  for (const [name, text] of Object.entries(pages)) writeAtomic(join(site, folder, name), text);
}

const started = Date.now();
const sidebar = {};

// One page per score, from the facts each metric of @emms/metrics declares.
const metrics = await import('@emms/metrics');
const scores = renderScorePages(metrics.builtinMetrics);
writePages('scores', scores.pages);
sidebar.scores = scores.sidebar;

// The files the scaffold writes for a metric plugin, which "Write a baseline package" shows.
const scaffold = await import(pathToFileURL(join(repo, 'tooling', 'new-package.mjs')).href);
const scaffoldDir = join(generated, 'scaffold');
rmSync(scaffoldDir, { recursive: true, force: true });
const example = {
  name: '@emms/metric-class-share',
  description: 'The share of the feature variance between class means.',
};
for (const [rel, text] of Object.entries(scaffold.packageFiles({ ...example, metric: true })))
  writeAtomic(join(scaffoldDir, rel), text);

// The CLI reference, from the command definitions the CLI itself parses and prints.
const cli = await import('emms');
const cliPages = renderCliPages(cli);
writePages('cli', cliPages.pages);
sidebar.cli = cliPages.sidebar;

// Results, from the bench report when there is one.
const reportPath = process.env.EMMS_DOCS_REPORT
  ? resolve(process.env.EMMS_DOCS_REPORT)
  : join(app, 'data', 'report.json');
const results = await renderResultsPages(
  reportPath,
  metrics.builtinMetrics.map((m) => m.id),
);
writePages('results', results.pages);
rmSync(join(site, 'public', 'results-charts'), { recursive: true, force: true });
for (const [name, svg] of Object.entries(results.charts ?? {}))
  writeAtomic(join(site, 'public', 'results-charts', name), svg);
sidebar.results = results.sidebar;
if (results.notice) console.warn(`docs: ${results.notice}`);

// The API reference, from TSDoc.
if (process.env.EMMS_DOCS_SKIP_API === '1' && existsSync(join(site, 'api', 'index.md'))) {
  sidebar.api = JSON.parse(readFileSync(join(generated, 'sidebar.json'), 'utf8')).api ?? [];
} else {
  rmSync(join(site, 'api'), { recursive: true, force: true });
  sidebar.api = await generateApi(repo, join(site, 'api'));
  writeAtomic(
    join(site, 'api', 'index.md'),
    [
      '# API reference',
      '',
      'Generated at build time from the TSDoc of each public package.',
      '',
      ...sidebar.api.map(
        (s) => `- [${s.text}](${s.link.replace(/^\/api\//, './').replace(/\/$/, '/index.md')})`,
      ),
      '',
    ].join('\n'),
  );
}

writeAtomic(join(generated, 'sidebar.json'), `${JSON.stringify(sidebar, null, 2)}\n`);
writeAtomic(
  join(generated, 'metrics.json'),
  `${JSON.stringify(
    metrics.builtinMetrics.map((m) => ({
      id: m.id,
      description: m.description,
      inputs: m.inputs,
      higherIsBetter: m.higherIsBetter,
    })),
    null,
    2,
  )}\n`,
);
console.log(
  `docs: generated the score, CLI, results and API pages in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
