// The playground's Web Worker: all computation happens here so the page stays responsive.
import { type RunRequest, runPlayground } from './playground-core';

self.onmessage = async (event: MessageEvent<{ id: number; request: RunRequest }>) => {
  const { id, request } = event.data;
  try {
    const result = await runPlayground(request, (p) =>
      self.postMessage({ id, type: 'progress', progress: p }),
    );
    self.postMessage({ id, type: 'result', result });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
