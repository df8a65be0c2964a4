#!/usr/bin/env node
// Runs every package's tests through turbo and closes with one total line,
// "N passed, N failed", summed from vitest's per-package "Tests" lines.
import { spawn } from 'node:child_process';

const child = spawn('turbo', ['run', 'test', '--continue', ...process.argv.slice(2)], {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let passed = 0;
let failed = 0;
let skipped = 0;
let pending = '';
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const count = (line, word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const raw of lines) {
    const line = raw.replace(ansi, '');
    if (!/\bTests\s+\d+ (passed|failed|skipped)/.test(line)) continue;
    passed += count(line, 'passed');
    failed += count(line, 'failed');
    skipped += count(line, 'skipped');
  }
});
child.on('close', (code) => {
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
