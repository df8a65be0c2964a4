// Prompt templates chosen for a dataset's classes and modality, and the words class ids stand for.
import { declareErrorCodes, EmmsError } from '@emms/tensor-io';

/** Error codes of @emms/label-embedders beyond tensor-io's shared ones. */
export const EMBEDDER_CODES = declareErrorCodes('@emms/label-embedders', {
  TEMPLATE_INVALID: 'a prompt template has no "{}" (or more than one) where the class name goes',
});

/** Templates for digit classes (the default benchmark's). */
export const DIGIT_TEMPLATES: readonly string[] = ['a photo of the digit {}', 'the number {}', '{}'];
/** Generic templates for image classes that are not digits. */
export const IMAGE_TEMPLATES: readonly string[] = ['a photo of a {}', 'a picture of a {}', '{}'];
/** Templates for the classes of text datasets. */
export const TEXT_TEMPLATES: readonly string[] = ['{}', 'an example of {}', 'a text about {}'];

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** True when the classes are digits: the ids "0", "1", … in order (at most ten), or the words "zero" … "nine". */
export function isDigitClasses(classes: readonly string[]): boolean {
  if (classes.length === 0 || classes.length > 10) return false;
  return (
    classes.every((c, i) => c === String(i)) ||
    classes.every((c) => DIGIT_WORDS.includes(c.trim().toLowerCase()))
  );
}

/**
 * The words label embedders get for class names: digit ids become words ("7" → "seven"; an embedding of
 * "7" says little), underscores become spaces ("golden_retriever" → "golden retriever"), other names stay.
 *
 * @example
 * ```ts
 * labelWords(['0', '1']); // ['zero', 'one']
 * ```
 */
export function labelWords(classes: readonly string[]): string[] {
  if (classes.length <= 10 && classes.every((c, i) => c === String(i)))
    return DIGIT_WORDS.slice(0, classes.length);
  return classes.map((c) => c.replace(/_/g, ' '));
}

/**
 * Checks prompt templates: each must hold exactly one "{}" where the class name goes.
 *
 * @param templates - the templates.
 * @param input - how the user gave them, for the message (an option name, a spec path).
 * @returns the templates, unchanged.
 * @throws EmmsError `TEMPLATE_INVALID` naming the template and the fix.
 */
export function validateTemplates(templates: readonly string[], input = 'templates'): string[] {
  if (templates.length === 0) {
    throw new EmmsError(
      EMBEDDER_CODES.TEMPLATE_INVALID,
      `${input} is empty; give at least one template such as "{}"`,
      {
        input,
      },
    );
  }
  for (const t of templates) {
    const holes = t.split('{}').length - 1;
    if (holes !== 1) {
      throw new EmmsError(
        EMBEDDER_CODES.TEMPLATE_INVALID,
        `template "${t}" in ${input} has ${holes === 0 ? 'no "{}"' : `${holes} "{}"`}; write exactly one "{}" where the class name goes, e.g. "${holes === 0 ? `${t.trim()} {}`.trim() : 'a photo of a {}'}"`,
        { input, details: { template: t } },
      );
    }
  }
  return [...templates];
}

/** What {@link defaultTemplates} chose and why. */
export interface TemplateChoice {
  readonly templates: readonly string[];
  /** One sentence a report can print. */
  readonly reason: string;
}

/**
 * Prompt templates chosen for a dataset: the digit templates only when the classes are digits
 * ({@link isDigitClasses}); otherwise generic image templates for images and text templates for texts.
 *
 * @example
 * ```ts
 * defaultTemplates({ classes: ['T-shirt/top', 'Trouser'], modality: 'image' });
 * // { templates: ['a photo of a {}', 'a picture of a {}', '{}'], reason: 'image classes that are not digits: …' }
 * ```
 */
export function defaultTemplates(input: {
  readonly classes: readonly string[];
  readonly modality: 'image' | 'text' | 'image-text';
}): TemplateChoice {
  if (input.modality === 'text') {
    return {
      templates: [...TEXT_TEMPLATES],
      reason: `text classes: text templates (${TEXT_TEMPLATES.map((t) => `"${t}"`).join(', ')})`,
    };
  }
  if (isDigitClasses(input.classes)) {
    return {
      templates: [...DIGIT_TEMPLATES],
      reason: `the classes are the digits ${input.classes[0]}–${input.classes[input.classes.length - 1]}: digit templates`,
    };
  }
  return {
    templates: [...IMAGE_TEMPLATES],
    reason: `image classes that are not digits: generic image templates (${IMAGE_TEMPLATES.map((t) => `"${t}"`).join(', ')})`,
  };
}
