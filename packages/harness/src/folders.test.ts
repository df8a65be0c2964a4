import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEmmsError } from '@emms/tensor-io';
import { afterAll, describe, expect, it } from 'vitest';
import { paperSuiteSpec } from './bench/defaults';
import { listFeatureFiles } from './bench/features-dir';
import { requireFolder } from './folders';

const root = mkdtempSync(join(tmpdir(), 'emms-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEmmsError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe('requireFolder', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  it('returns the absolute folder', () => expect(requireFolder(root, 'features folder')).toBe(root));
  it('a missing folder is FILE_NOT_FOUND; a file is NOT_A_FOLDER naming it (issue 20)', () => {
    expect(codeOf(() => requireFolder(join(root, 'nope'), 'features folder'))).toBe('FILE_NOT_FOUND');
    expect(codeOf(() => requireFolder(file, 'features folder'))).toBe('NOT_A_FOLDER');
    expect(() => requireFolder(file, 'features folder')).toThrow(/a-file is a file, not a folder/);
  });
  it('the features folder of rank and of the paper suites say so too', () => {
    expect(codeOf(() => listFeatureFiles(file, 't'))).toBe('NOT_A_FOLDER');
    expect(codeOf(() => paperSuiteSpec('paper-cnn', file))).toBe('NOT_A_FOLDER');
  });
});
