// Task kinds whose question is a continuous target rather than the items' classes: referring expressions
// (a box per item), captioning (a caption per item) and regression (target columns). Their F-labels come
// from the items' own texts (or targets), their ground truth is a ridge probe, and scores that need class
// labels are NOT_APPLICABLE.
import { EmmsError } from '@emms/tensor-io';
import { type DatasetTask, datasetKind, embedderIds, type TaskKind, truthCalls } from './kinds';
import type { FlabelsInput } from './steps/flabels';
import type { SplitResult } from './steps/split';
import type { TargetTruth, TruthInput } from './steps/truth';
import type { StepCall } from './types';
import { taskIdOf } from './validate';

type Question = 'referring' | 'captioning' | 'regression';

const CLASSLESS: Record<Question, string> = {
  referring:
    'a referring task is judged by the box its expression points at (ground truth: a ridge probe from the features to the box); the items are not classified',
  captioning:
    'a captioning task is judged by its captions (ground truth: caption retrieval through a ridge probe); the items are not classified',
  regression:
    'a regression task has continuous targets (ground truth: a ridge probe’s held-out R²); the items are not classified',
};

const TRUTHS: Record<Question, TargetTruth[]> = {
  referring: ['ridge-iou', 'ridge-r2'],
  captioning: ['caption-retrieval'],
  regression: ['ridge-r2'],
};

const FLABEL_NOTES: Record<Question, string> = {
  referring:
    'F-labels: each train item’s referring expression embedded, with its box (x, y, w, h, normalised) appended, as the paper treats referring expression comprehension',
  captioning: 'F-labels: each train item’s caption embedded (one row per item)',
  regression: 'F-labels: the regression targets themselves (one F-label of T columns)',
};

function targetKind(question: Question): TaskKind<DatasetTask> {
  return {
    id: 'dataset',
    question,
    split: (task, ctx) => datasetKind.split(task, ctx),
    features(task, split, ctx) {
      const candidates = datasetKind.features(task, split, ctx).candidates;
      if (question === 'regression') return { candidates, flabels: [] };
      const flabels = embedderIds(ctx).map(({ id, optional }) => {
        const input: FlabelsInput = {
          split: { key: split.key, labels: split.labels, items: split.items! },
          mode: question === 'referring' ? 'referring' : 'captions',
          classNames: [...(split.classNames ?? ['item'])],
          embedder: id,
          optional,
          templates: ['{}'],
        };
        return { step: 'flabels' as const, input };
      });
      return { candidates, flabels };
    },
    truth(task, split, ok, ctx, flabels) {
      const gt = ctx.spec.groundTruth;
      if (!('measured' in gt)) return truthCalls(taskIdOf(task), split, ok, ctx);
      const targets = question === 'captioning' ? flabels.find((f) => f.targets)?.targets : split.targets;
      if (!targets) {
        throw new EmmsError(
          'MISSING_INPUT',
          `task ${taskIdOf(task)}: the caption-retrieval ground truth needs caption embeddings, and no label embedder gave them; install one of ${embedderIds(
            ctx,
          )
            .map((e) => e.id)
            .join(', ')} or list another in flabels.embedders`,
          { input: 'flabels.embedders', details: { task: taskIdOf(task) } },
        );
      }
      const calls: StepCall[] = ok.map(({ id, extract }) => ({
        step: 'truth',
        input: {
          kind: 'targets',
          task: taskIdOf(task),
          candidate: id,
          train: extract.train,
          test: extract.test!,
          targets: { train: targets.train, test: targets.test },
          kinds: TRUTHS[question],
        } satisfies TruthInput,
      }));
      return { calls, perCandidate: true };
    },
    applies: () => true,
    scoring(split: SplitResult) {
      return {
        classless: CLASSLESS[question],
        ...(question !== 'captioning' && split.targets ? { targets: split.targets.train } : {}),
      };
    },
    describe(task, ctx, split) {
      const base = datasetKind.describe(task, ctx, split);
      return {
        split: base.split,
        templates: [],
        notes: [
          ...ctx.spec.excluded.map((e) => `${e.id} left out of the candidates: ${e.reason}`),
          ...(split?.datasetNotes ?? []),
          FLABEL_NOTES[question],
          `scores that need class labels are not applicable: ${CLASSLESS[question]}`,
        ],
      };
    },
  };
}

/** The task kinds of continuous targets, by question. */
export const targetKinds: Readonly<Record<Question, TaskKind<DatasetTask>>> = {
  referring: targetKind('referring'),
  captioning: targetKind('captioning'),
  regression: targetKind('regression'),
};

/** The measured truths a target kind's truth calls ask for (empty for tables). */
export function truthKindsOf(calls: readonly StepCall[]): string[] {
  const first = calls[0]?.input as { kind?: string; kinds?: string[] } | undefined;
  return first?.kind === 'targets' || first?.kind === 'probe' ? [...(first.kinds ?? [])] : [];
}
