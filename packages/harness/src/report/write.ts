/**
 * Writes a bench report's four files atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EmmsError } from '@emms/tensor-io';
import { CD_DIAGRAM_FILE, cdDiagramSvg } from './cd-diagram';
import { reportToCsv } from './csv';
import { reportToHtml } from './html';
import { reportToMarkdown } from './markdown';
import { type BenchReport, type BenchReportInput, parseReport } from './schema';

/** Paths of the files {@link writeReports} wrote (absolute). */
export interface ReportPaths {
  json: string;
  csv: string;
  md: string;
  html: string;
  /** The critical-difference diagram (`cd-diagram.svg`), when the report has one. */
  cd?: string;
}

/** Options of {@link writeReports}. */
export interface WriteReportsOptions {
  /**
   * Largest total size, in characters, of the per-item correctness strings (`groundTruth[*].correct`)
   * kept in report.json; above it they are left out and a note says so. Default 2,000,000 (e.g. 20
   * models × 100,000 test items). 0 always leaves them out.
   */
  maxItemChars?: number;
}

/**
 * Drops the per-item correctness strings when they are larger than `maxItemChars` in all, noting it.
 *
 * @param report - a validated report (not modified).
 * @param maxItemChars - the limit on the total length of the strings.
 * @returns the report to write.
 */
function trimItems(report: BenchReport, maxItemChars: number): BenchReport {
  let total = 0;
  for (const t of report.tasks) {
    for (const g of Object.values(t.groundTruth)) {
      for (const s of Object.values(g.correct ?? {})) total += s.length;
    }
  }
  if (total === 0 || total <= maxItemChars) return report;
  return {
    ...report,
    tasks: report.tasks.map((t) => ({
      ...t,
      groundTruth: Object.fromEntries(
        Object.entries(t.groundTruth).map(([id, g]) => {
          const { correct: _dropped, ...rest } = g;
          return [id, rest];
        }),
      ),
    })),
    notes: [
      ...report.notes,
      `Per-item correctness (${total} items in all) left out of report.json: above the ${maxItemChars} limit.`,
    ],
  };
}

/**
 * Validates a bench report and writes `report.json`, `report.csv`, `report.md` and `report.html` into
 * `outDir` (created when missing). Each file is first written to a temporary file in the same folder and
 * renamed into place only after all four were written, so no file is ever half-written and no temporary
 * file is left behind. The renames go csv, md, html, then json: if one fails, the files after it keep
 * their previous content, so a report.json newer than the run's start means the whole set is new.
 *
 * - report.json: the validated report (defaults filled in), 2-space indented.
 * - report.csv: tidy rows typed by a `kind` column, see {@link reportToCsv}.
 * - report.md: the human report, see {@link reportToMarkdown}.
 * - report.html: one self-contained page with SVG charts, see {@link reportToHtml}.
 * - cd-diagram.svg: with a cross-task section that has a critical difference, its diagram (report.md
 *   links it; report.html embeds it); removed when the report has none.
 *
 * @param report - the report (validated here with the `emms-bench-report` v1 schema).
 * @param outDir - output folder.
 * @param opts - see {@link WriteReportsOptions}.
 * @returns the absolute paths of the four files.
 * @throws EmmsError `INVALID_OPTION` (input `maxItemChars`) for a negative or non-finite limit;
 *   `REPORT_INVALID` when the report does not match the schema (nothing is written);
 *   `FILE_UNWRITABLE` naming the folder or file when it cannot be created or written.
 * @example
 * ```ts
 * const paths = await writeReports(report, 'bench-out');
 * console.log(`open ${paths.html}`);
 * ```
 */
export async function writeReports(
  report: BenchReport | BenchReportInput,
  outDir: string,
  opts: WriteReportsOptions = {},
): Promise<ReportPaths> {
  const maxItemChars = opts.maxItemChars ?? 2_000_000;
  if (!Number.isFinite(maxItemChars) || maxItemChars < 0) {
    throw new EmmsError(
      'INVALID_OPTION',
      `maxItemChars: ${maxItemChars} is not a character count; give a number ≥ 0 (0 leaves the per-item results out)`,
      { input: 'maxItemChars' },
    );
  }
  const valid = trimItems(parseReport(report), maxItemChars);
  const dir = resolve(outDir);
  const cd = valid.crossTask
    ? await cdDiagramSvg({ ...valid.crossTask, taskCount: valid.crossTask.tasks.length })
    : undefined;
  const contents: Partial<Record<keyof ReportPaths, string>> = {
    json: `${JSON.stringify(valid, null, 2)}\n`,
    csv: reportToCsv(valid),
    md: reportToMarkdown(valid),
    html: await reportToHtml(valid),
    ...(cd ? { cd } : {}),
  };
  const paths: ReportPaths = {
    json: join(dir, 'report.json'),
    csv: join(dir, 'report.csv'),
    md: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
    ...(cd ? { cd: join(dir, CD_DIAGRAM_FILE) } : {}),
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new EmmsError(
      'FILE_UNWRITABLE',
      `output folder ${dir} cannot be created (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); choose a writable outDir`,
      { input: dir, cause },
    );
  }
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // report.json goes last: when it is new, the others are new too.
  const keys: (keyof ReportPaths)[] = [...(cd ? (['cd'] as const) : []), 'csv', 'md', 'html', 'json'];
  const temps: string[] = [];
  try {
    for (const key of keys) {
      const tmp = join(dir, `.report.${key}.${tag}.tmp`);
      temps.push(tmp);
      try {
        await writeFile(tmp, contents[key]!, { encoding: 'utf8', flag: 'wx' });
      } catch (cause) {
        throw new EmmsError(
          'FILE_UNWRITABLE',
          `cannot write in output folder ${dir} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); choose a writable outDir`,
          { input: paths[key], cause },
        );
      }
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      try {
        await rename(temps[i]!, paths[key]!);
      } catch (cause) {
        throw new EmmsError(
          'FILE_UNWRITABLE',
          `cannot replace ${paths[key]!} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); remove it or choose another outDir`,
          { input: paths[key], cause },
        );
      }
    }
    // a diagram left by an earlier run would not belong to this report
    if (!cd) await rm(join(dir, CD_DIAGRAM_FILE), { force: true });
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
  return paths;
}
