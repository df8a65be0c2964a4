/**
 * One progress event shape for every long-running step (extraction, embedding, scoring, benchmarks).
 * The CLI draws a bar from it; tests and browsers may ignore it.
 */
export interface ProgressEvent {
  /** What is running, e.g. "extract:mobilenet_v2" or "score:logme". */
  readonly task: string;
  /** Items finished so far. */
  readonly done: number;
  /** Items in all, when known. */
  readonly total?: number;
  /** Throughput over the run so far. */
  readonly itemsPerSecond?: number;
  /** Estimated seconds left, when total is known. */
  readonly etaSeconds?: number;
  /** A short human note ("resumed at batch 12"). */
  readonly message?: string;
}

/** Receives progress events; must not throw. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Tracks a run and emits events with rate and ETA filled in. */
export function progressTracker(
  task: string,
  total: number | undefined,
  listener: ProgressListener | undefined,
  now: () => number = () => performance.now(),
): { advance(by: number, message?: string): void; readonly done: number } {
  const start = now();
  let done = 0;
  return {
    advance(by: number, message?: string) {
      done += by;
      if (!listener) return;
      const seconds = (now() - start) / 1000;
      const itemsPerSecond = seconds > 0 ? done / seconds : undefined;
      const etaSeconds =
        total !== undefined && itemsPerSecond ? Math.max(0, (total - done) / itemsPerSecond) : undefined;
      listener({ task, done, total, itemsPerSecond, etaSeconds, message });
    },
    get done() {
      return done;
    },
  };
}
