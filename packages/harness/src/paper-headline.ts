// EMMS against LogME on the same F-labels, per task kind, beside the paper's headline numbers.
// Browser-safe (no imports but errors).
import { EmmsError } from '@emms/tensor-io';

/** The task kinds of the paper's headline. */
export type PaperTaskKind = 'recognition' | 'referring' | 'captioning' | 'vqa' | 'text-qa';

/**
 * The EMMS paper's headline: against LogME fed with the same F-labels, EMMS's gain in weighted τ
 * (percent) and its wall-clock speed-up, per task kind.
 */
export const PAPER_HEADLINE = {
  source:
    'Meng et al., "Foundation Model is Efficient Multimodal Multitask Model Selector", arXiv 2308.06262 (abstract): ' +
    'EMMS against LogME enhanced by the same label embeddings',
  kinds: {
    recognition: { gainPercent: 9.0, speedup: 5.13 },
    referring: { gainPercent: 26.3, speedup: 6.29 },
    captioning: { gainPercent: 20.1, speedup: 3.59 },
    vqa: { gainPercent: 54.8, speedup: 6.19 },
    'text-qa': { gainPercent: 12.2, speedup: 5.66 },
  } satisfies Record<PaperTaskKind, { gainPercent: number; speedup: number }>,
} as const;

/** EMMS and LogME (same F-labels) on one task. */
export interface EmmsVsLogmeTask {
  readonly task: string;
  /** Task kind; a kind of {@link PAPER_HEADLINE} gets the paper's numbers beside ours. */
  readonly kind: string;
  readonly emmsTau: number;
  readonly logmeTau: number;
  /** Seconds EMMS took on the task (all models). */
  readonly emmsSeconds: number;
  /** Seconds LogME took on the same F-labels (all models). */
  readonly logmeSeconds: number;
}

/** EMMS against LogME over the tasks of one kind. */
export interface EmmsVsLogmeKind {
  readonly kind: string;
  readonly tasks: readonly string[];
  /** Mean weighted τ of EMMS and of LogME over the kind's tasks. */
  readonly emmsTau: number;
  readonly logmeTau: number;
  /** emmsTau − logmeTau. */
  readonly gain: number;
  /** 100·(emmsTau − logmeTau)/|logmeTau|; absent when logmeTau is 0. */
  readonly gainPercent?: number;
  /** Σ LogME seconds / Σ EMMS seconds over the kind's tasks; absent when EMMS took no measurable time. */
  readonly speedup?: number;
  /** The paper's numbers for this kind, when it reports it. */
  readonly paper?: { readonly gainPercent: number; readonly speedup: number };
}

/**
 * Per task kind, EMMS's weighted-τ gain and wall-clock speed-up over LogME on the same F-labels, beside
 * the paper's headline ({@link PAPER_HEADLINE}). The gain is computed on the kind's mean τ's, both as a
 * difference and as a percentage of LogME's (the paper gives percentages); the speed-up is the ratio
 * of total seconds, both timed in the same run.
 *
 * @param tasks - one entry per task.
 * @returns one entry per kind, in first-seen order.
 * @throws EmmsError `NON_FINITE` for a τ or time that is not a finite number ≥ 0 (times).
 * @example
 * ```ts
 * emmsVsLogme([{ task: 'mnist', kind: 'recognition', emmsTau: 0.84, logmeTau: 0.77, emmsSeconds: 0.35, logmeSeconds: 3.4 }]);
 * // [{ kind: 'recognition', gain: 0.07, gainPercent: 9.1, speedup: 9.7, paper: { gainPercent: 9, speedup: 5.13 }, … }]
 * ```
 */
export function emmsVsLogme(tasks: readonly EmmsVsLogmeTask[]): EmmsVsLogmeKind[] {
  for (const t of tasks) {
    const bad = (['emmsTau', 'logmeTau', 'emmsSeconds', 'logmeSeconds'] as const).find(
      (k) => !Number.isFinite(t[k]) || (k.endsWith('Seconds') && t[k] < 0),
    );
    if (bad) {
      throw new EmmsError('NON_FINITE', `task "${t.task}": ${bad} is ${t[bad]}; give a finite number`, {
        input: bad,
      });
    }
  }
  const kinds = [...new Set(tasks.map((t) => t.kind))];
  return kinds.map((kind) => {
    const of = tasks.filter((t) => t.kind === kind);
    const mean = (f: (t: EmmsVsLogmeTask) => number) => of.reduce((s, t) => s + f(t), 0) / of.length;
    const emmsTau = mean((t) => t.emmsTau);
    const logmeTau = mean((t) => t.logmeTau);
    const emmsSeconds = of.reduce((s, t) => s + t.emmsSeconds, 0);
    const logmeSeconds = of.reduce((s, t) => s + t.logmeSeconds, 0);
    const paper = (PAPER_HEADLINE.kinds as Record<string, { gainPercent: number; speedup: number }>)[kind];
    return {
      kind,
      tasks: of.map((t) => t.task),
      emmsTau,
      logmeTau,
      gain: emmsTau - logmeTau,
      ...(logmeTau !== 0 ? { gainPercent: (100 * (emmsTau - logmeTau)) / Math.abs(logmeTau) } : {}),
      ...(emmsSeconds > 0 ? { speedup: logmeSeconds / emmsSeconds } : {}),
      ...(paper ? { paper } : {}),
    };
  });
}
