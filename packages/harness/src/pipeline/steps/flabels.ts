// Step "flabels": one label embedder's F-labels for one task's train split, one per prompt template,
// written once to the store and read by every score step of the task.
import {
  captionItemFLabels,
  classificationFLabels,
  createEmbedder,
  referringItemFLabels,
} from '@emms/label-embedders';
import { z } from 'zod';
import {
  type ArtifactRef,
  ArtifactRefSchema,
  errorInfo,
  loadDataset,
  loadLabels,
  saveMatrix,
} from '../artifacts';
import type { StepContext } from '../types';

/** Input of the flabels step. */
export const FlabelsInputSchema = z.strictObject({
  /** The split's content key (part of the call's key), its labels and (item modes) its items. */
  split: z.strictObject({
    key: z.string().min(1),
    labels: ArtifactRefSchema,
    items: ArtifactRefSchema.optional(),
  }),
  /**
   * `classes`: class names under each template; `referring`: each train item's expression embedded with
   * its box (x, y, w, h) appended; `captions`: each train item's caption embedded (and the test items'
   * captions too, the targets of the caption-retrieval ground truth).
   */
  mode: z.enum(['classes', 'referring', 'captions']).optional(),
  classNames: z.array(z.string().min(1)).min(1),
  embedder: z.string().min(1).describe('use-lite, glove, hf:<id>, local:<absolute folder>'),
  optional: z.boolean().describe('an embedder that is not installed is left out with a note'),
  templates: z.array(z.string().includes('{}')).min(1),
});
export type FlabelsInput = z.output<typeof FlabelsInputSchema>;

/** Result of the flabels step. */
export interface FlabelsResult {
  readonly embedder: string;
  /** Set when an optional embedder is not installed (then `files` is empty). */
  readonly missing?: { readonly code: string };
  /** One N×L matrix per template, in template order. */
  readonly files: readonly ArtifactRef[];
  readonly dims: readonly number[];
  /** `captions` mode: the caption embeddings of the train and test items (the retrieval probe's targets). */
  readonly targets?: { readonly train: ArtifactRef; readonly test: ArtifactRef };
}

/** Lines tfjs prints when a second copy registers the same kernels (harmless; both share the registry). */
const HARMLESS = /already registered|Platform node has already been set/;

/**
 * The flabels step: loads the embedder and embeds the class names under every template, one F-label
 * (row i = the embedding of item i's class) per template.
 *
 * @param input - {@link FlabelsInput}.
 * @param ctx - the step context.
 * @returns the {@link FlabelsResult}.
 * @throws EmmsError the embedder's codes when a non-optional embedder cannot be loaded or fails.
 */
export async function flabelsStep(input: FlabelsInput, ctx: StepContext): Promise<FlabelsResult> {
  const labels = loadLabels(ctx.store, input.split.labels).train;
  // USE-lite brings its own copy of tfjs: once a zoo tfjs model has registered the WASM kernels, it warns
  // once per kernel that it is "already registered". Only those lines are held back.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && HARMLESS.test(args[0])) return;
    warn(...args);
  };
  try {
    let embedder: Awaited<ReturnType<typeof createEmbedder>>;
    try {
      embedder = await createEmbedder(input.embedder, { cwd: ctx.cwd });
    } catch (e) {
      if (!input.optional) throw e;
      return { embedder: input.embedder, missing: { code: errorInfo(e).code }, files: [], dims: [] };
    }
    const files: ArtifactRef[] = [];
    const dims: number[] = [];
    if (input.mode && input.mode !== 'classes') {
      try {
        return await itemFLabels(input, embedder, ctx);
      } finally {
        await embedder.dispose();
      }
    }
    try {
      for (const template of input.templates) {
        ctx.signal?.throwIfAborted();
        const f = await classificationFLabels(
          embedder,
          { classNames: input.classNames, labels },
          { template },
        );
        files.push(await saveMatrix(ctx.store, 'flabels', f.matrix));
        dims.push(f.matrix.cols);
      }
    } finally {
      await embedder.dispose();
    }
    const n = input.templates.length;
    ctx.onProgress?.({ task: `flabels:${input.embedder}`, done: n, total: n });
    return { embedder: input.embedder, files, dims };
  } finally {
    console.warn = warn;
  }
}

/** F-labels made from the items' own texts (referring expressions with boxes, captions). */
async function itemFLabels(
  input: FlabelsInput,
  embedder: Awaited<ReturnType<typeof createEmbedder>>,
  ctx: StepContext,
): Promise<FlabelsResult> {
  const ds = loadDataset(ctx.store, input.split.items!);
  const train = ds.items.filter((i) => i.split === 'train');
  if (input.mode === 'referring') {
    const f = await referringItemFLabels(embedder, train);
    const files = [];
    for (const m of f) files.push(await saveMatrix(ctx.store, 'flabels', m.matrix));
    ctx.onProgress?.({ task: `flabels:${input.embedder}`, done: train.length, total: train.length });
    return { embedder: input.embedder, files, dims: f.map((m) => m.matrix.cols) };
  }
  const test = ds.items.filter((i) => i.split === 'test');
  const tr = await captionItemFLabels(embedder, train);
  const te = await captionItemFLabels(embedder, test);
  const file = await saveMatrix(ctx.store, 'flabels', tr.matrix);
  const n = train.length + test.length;
  ctx.onProgress?.({ task: `flabels:${input.embedder}`, done: n, total: n });
  return {
    embedder: input.embedder,
    files: [file],
    dims: [tr.matrix.cols],
    targets: { train: file, test: await saveMatrix(ctx.store, 'flabels', te.matrix) },
  };
}
