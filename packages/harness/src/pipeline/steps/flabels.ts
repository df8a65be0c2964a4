// Step "flabels": one label embedder's F-labels for one task's train split, one per prompt template,
// written once to the store and read by every score step of the task.
import { classificationFLabels, createEmbedder } from '@emms/label-embedders';
import { z } from 'zod';
import { type ArtifactRef, ArtifactRefSchema, errorInfo, loadLabels, saveMatrix } from '../artifacts';
import type { StepContext } from '../types';

/** Input of the flabels step. */
export const FlabelsInputSchema = z.strictObject({
  /** The split's content key (part of the call's key) and its labels. */
  split: z.strictObject({ key: z.string().min(1), labels: ArtifactRefSchema }),
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
