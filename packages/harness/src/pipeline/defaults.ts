// Per-task defaults of dataset tasks: the candidates of the dataset's modality and the prompt templates
// chosen for its classes, each overridable by the task and the spec.
import { extname, resolve } from 'node:path';
import { BASE_ZOO_IDS, BUILTIN_DATASETS, listCandidates, openDataset } from '@emms/feature-extractors';
import { defaultTemplates } from '@emms/label-embedders';
import { DEFAULT_EXCLUDED } from '../bench/defaults';
import type { BenchSpec, TaskSpec } from '../spec';

type DatasetTask = Extract<TaskSpec, { dataset: string }>;

const TEXT_BUILTINS = new Set(['spam-assassin']);

/**
 * The modality of a task's dataset without running the task: built-in names by what they are, folders and
 * idx files are images, a manifest is opened (cheap: it lists items, never decodes them).
 */
export function datasetModality(dataset: string, cwd: string): 'image' | 'text' | 'image-text' {
  if (Object.hasOwn(BUILTIN_DATASETS, dataset)) return TEXT_BUILTINS.has(dataset) ? 'text' : 'image';
  const ext = extname(dataset).toLowerCase();
  if (ext !== '.csv' && ext !== '.jsonl') return 'image';
  try {
    return openDataset(resolve(cwd, dataset)).modality;
  } catch {
    return 'image'; // the split step reports what is wrong with the manifest
  }
}

/** The default candidates of a modality: the base offline zoo (minus {@link DEFAULT_EXCLUDED}) and pixels, or every offline text model. */
export function defaultCandidates(modality: 'image' | 'text' | 'image-text'): string[] {
  if (modality === 'text') return listCandidates('text').map((c) => c.id);
  // the base zoo (not its earlier layers or the human-models backbones: the suite's) keeps the default
  // bench within minutes
  const excluded = new Set(DEFAULT_EXCLUDED.map((e) => e.id));
  return [...BASE_ZOO_IDS.filter((id) => !excluded.has(id)), 'pixels'];
}

/**
 * A dataset task's candidates: its own, else the spec's, else the default candidates of its modality.
 *
 * @example
 * ```ts
 * taskCandidates({ dataset: 'spam-assassin', … }, spec, cwd); // ['use-lite', …, 'bow-hash'] when neither names any
 * ```
 */
export function taskCandidates(task: DatasetTask, spec: BenchSpec, cwd: string): BenchSpec['candidates'] {
  if (task.candidates?.length) return task.candidates;
  if (spec.candidates.length) return spec.candidates;
  return defaultCandidates(datasetModality(task.dataset, cwd));
}

/** The prompt templates of a classification task and why: the task's, the spec's, else chosen for the classes. */
export function taskTemplates(
  task: DatasetTask,
  spec: BenchSpec,
  split: {
    readonly classNames?: readonly string[];
    readonly classes?: readonly string[];
    readonly modality?: string;
  },
): { templates: string[]; reason: string } {
  if (task.templates?.length) return { templates: [...task.templates], reason: "the task's templates" };
  if (spec.flabels.templates?.length) {
    return { templates: [...spec.flabels.templates], reason: "the spec's templates" };
  }
  const modality = split.modality === 'text' ? 'text' : 'image';
  const c = defaultTemplates({ classes: split.classes ?? [], modality });
  return { templates: [...c.templates], reason: `chosen for the dataset: ${c.reason}` };
}
