import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOnnxRuntime, withTransformersEnv } from '@emms/runtime';
import { EmmsError } from '@emms/tensor-io';
import * as ort from 'onnxruntime-node';
import { sha256 } from '../hash';
import { addGraphOutput, decodeModel } from '../onnx-graph';
import type { OutputTensor } from '../pooling';
import type { RawPixels } from '../preprocess';
import type { LoadedModel } from './types';

/** Options for {@link openCaptionModel}. */
export interface CaptionModelOptions {
  /**
   * A transformers.js vision-encoder-decoder folder: config.json, preprocessor_config.json, tokenizer.json,
   * onnx/encoder_model.onnx and onnx/decoder_model.onnx (the decoder without past key values).
   */
  readonly folder: string;
  /** Decoder tensor read as the feature. Default: the input of the final projection to `logits` (the last hidden state). */
  readonly output?: string;
  readonly threads?: number;
}

/** The decoder tensor multiplied into `logits`: the last hidden state of the decoder. */
export function lastHiddenStateName(decoderBytes: Uint8Array): string | undefined {
  const graph = decodeModel(decoderBytes).graph!;
  const init = new Set((graph.initializer ?? []).map((t) => t.name));
  const head = (graph.node ?? []).find((n) => (n.output ?? []).includes('logits'));
  if (!head) return undefined;
  // MatMul(hidden, W) / Gemm(hidden, W, b): the non-constant input is the hidden state
  return (head.input ?? []).find((i) => i && !init.has(i));
}

/**
 * A captioning candidate scored as the published method does: the caption is fed to the decoder (teacher
 * forcing) after the image is encoded, and the decoder's last hidden states are averaged over the caption's
 * tokens (padding excluded) — one row per (image, caption) pair. Runs the two ONNX graphs with
 * onnxruntime-node; the image processor and tokenizer come from @huggingface/transformers.
 */
export async function openCaptionModel(opts: CaptionModelOptions): Promise<LoadedModel> {
  const dir = opts.folder;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EmmsError('MODEL_NOT_FOUND', `captioning model folder ${dir} does not exist`, { input: dir });
  }
  const need = [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'onnx/encoder_model.onnx',
    'onnx/decoder_model.onnx',
  ];
  const missing = need.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new EmmsError('MODEL_NOT_FOUND', `captioning model folder ${dir} lacks ${missing.join(', ')}`, {
      input: dir,
      details: { missing },
    });
  }
  const t = await import('@huggingface/transformers');
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    decoder_start_token_id?: number;
    decoder?: { decoder_start_token_id?: number; bos_token_id?: number };
  };
  const start =
    config.decoder_start_token_id ?? config.decoder?.decoder_start_token_id ?? config.decoder?.bos_token_id;
  const { tokenizer, processor } = await withTransformersEnv(t, { folder: dir }, async (id) => ({
    tokenizer: await t.AutoTokenizer.from_pretrained(id),
    processor: await t.AutoImageProcessor.from_pretrained(id),
  }));
  const encBytes = readFileSync(join(dir, 'onnx/encoder_model.onnx'));
  let decBytes: Uint8Array = readFileSync(join(dir, 'onnx/decoder_model.onnx'));
  const fingerprint = sha256(Buffer.concat([encBytes, decBytes, readFileSync(join(dir, 'tokenizer.json'))]));
  const output = opts.output ?? lastHiddenStateName(decBytes);
  if (!output) {
    throw new EmmsError(
      'MODEL_INVALID',
      `decoder of ${dir} has no "logits" output to find the last hidden state from; pass --output`,
      { input: dir },
    );
  }
  try {
    decBytes = addGraphOutput(decBytes, output);
  } catch (e) {
    throw new EmmsError('INVALID_OPTION', `decoder of ${dir}: ${(e as Error).message}`, {
      input: 'output',
      cause: e,
    });
  }
  const so: ort.InferenceSession.SessionOptions = {
    logSeverityLevel: 3,
    ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
  };
  prepareOnnxRuntime();
  const enc = await ort.InferenceSession.create(encBytes, so);
  const dec = await ort.InferenceSession.create(decBytes, so);
  const encOut = enc.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : enc.outputNames[0];
  return {
    id: `caption:${dir}`,
    backend: 'transformers',
    modality: 'image-text',
    fingerprint,
    outputName: output,
    pool: 'none',
    channelsLast: false,
    async runImageTexts(images: readonly RawPixels[], texts: readonly string[]): Promise<OutputTensor> {
      const n = images.length;
      const { pixel_values } = (await processor(
        images.map((im) => new t.RawImage(im.data, im.width, im.height, im.channels)),
      )) as {
        pixel_values: { dims: number[]; data: Float32Array };
      };
      const e = await enc.run({
        [enc.inputNames[0]]: new ort.Tensor('float32', pixel_values.data, pixel_values.dims),
      });
      const hidden = e[encOut];
      // token ids of each caption, the decoder start token first (teacher forcing of the whole caption)
      const ids = texts.map((c) => {
        const tok = (tokenizer.encode as (s: string) => number[])(c);
        return start !== undefined && tok[0] !== start ? [start, ...tok] : tok;
      });
      const len = Math.max(...ids.map((x) => x.length));
      const inputIds = new BigInt64Array(n * len);
      const mask = new BigInt64Array(n * len);
      ids.forEach((x, i) => {
        for (let j = 0; j < x.length; j++) {
          inputIds[i * len + j] = BigInt(x[j]);
          mask[i * len + j] = 1n;
        }
      });
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of dec.inputNames) {
        if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', inputIds, [n, len]);
        else if (name === 'attention_mask' || name === 'decoder_attention_mask')
          feeds[name] = new ort.Tensor('int64', mask, [n, len]);
        else if (name === 'encoder_hidden_states') feeds[name] = hidden;
        else if (name === 'encoder_attention_mask') {
          feeds[name] = new ort.Tensor('int64', new BigInt64Array(hidden.dims[0] * hidden.dims[1]).fill(1n), [
            hidden.dims[0],
            hidden.dims[1],
          ]);
        } else {
          throw new EmmsError(
            'MODEL_INPUT_MISMATCH',
            `decoder of ${dir} wants input "${name}"; only input_ids, attention_mask, encoder_hidden_states and encoder_attention_mask are fed (export the decoder without past key values)`,
            {
              input: dir,
            },
          );
        }
      }
      const r = await dec.run(feeds, [output]);
      const h = r[output];
      const d = h.dims[2];
      const data = h.data as Float32Array;
      const out = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const m = ids[i].length;
        for (let j = 0; j < m; j++)
          for (let k = 0; k < d; k++) out[i * d + k] += data[(i * len + j) * d + k] / m;
      }
      return { dims: [n, d], data: out };
    },
    async dispose() {
      await Promise.all([enc.release(), dec.release()]);
    },
  };
}
