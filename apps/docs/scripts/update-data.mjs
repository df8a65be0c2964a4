#!/usr/bin/env node
// Regenerates apps/docs/data/report.json, the report the results pages are built from.
//
//   node scripts/update-data.mjs <report.json>          copy a bench report (validated) into data/
//   node scripts/update-data.mjs --bench <bench args…>   run `emms bench <args…>` first, e.g.
//                                                        --bench --suite offline-small
//
// The report is validated with the harness's schema and written atomically; a report with one task is
// accepted with a warning (the results pages then show no cross-task section).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseReport } from '@emms/harness';

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(here, '..');
const repo = resolve(app, '../..');

/**
 * Validates the bench report at `from` and writes it to `to` (default data/report.json) atomically.
 * Returns what it wrote and any warning.
 */
export function updateData(from, to = join(app, 'data', 'report.json')) {
  const report = parseReport(readFileSync(from, 'utf8'));
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, to);
  const warning = report.crossTask
    ? undefined
    : `${from} has ${report.tasks.length} task(s) and no cross-task section; the results pages will show the tasks only`;
  return { path: to, tasks: report.tasks.map((t) => t.id), warning };
}

/** Runs `emms bench <args> --out <tmp>` with the repository's CLI and returns the report's path. */
export function benchReport(args) {
  const out = mkdtempSync(join(tmpdir(), 'emms-docs-data-'));
  const bin = join(repo, 'apps', 'cli', 'dist', 'bin.js');
  const r = spawnSync(process.execPath, [bin, 'bench', ...args, '--out', out], { stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`emms bench ${args.join(' ')} exited with ${r.status ?? r.signal}; no data written`);
  }
  return { path: join(out, 'report.json'), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === '--bench') {
      const run = benchReport(args.slice(1));
      try {
        const r = updateData(run.path);
        console.log(`docs data: ${r.path} (${r.tasks.join(', ')})`);
        if (r.warning) console.warn(`docs data: ${r.warning}`);
      } finally {
        run.cleanup();
      }
    } else if (args.length === 1 && !args[0].startsWith('-')) {
      const r = updateData(resolve(args[0]));
      console.log(`docs data: ${r.path} (${r.tasks.join(', ')})`);
      if (r.warning) console.warn(`docs data: ${r.warning}`);
    } else {
      console.error('usage: node scripts/update-data.mjs <report.json> | --bench <emms bench arguments…>');
      process.exitCode = 2;
    }
  } catch (e) {
    console.error(`docs data: ${e.message}`);
    process.exitCode = 1;
  }
}
