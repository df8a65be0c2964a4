import type { ProgressEvent, ProgressListener } from '@emms/tensor-io';
import type { CliIo } from './command';

/** A progress bar on stderr: `listener` to hand to long-running steps, `finish` to clear the line. */
export interface ProgressRenderer {
  /** Undefined when stderr is not a terminal: callers then report no progress at all. */
  readonly listener: ProgressListener | undefined;
  /** Erase the bar (call once the work is over, before printing results). */
  finish(): void;
}

function seconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** One line of text for an event, at most `width` characters. */
export function progressLine(e: ProgressEvent, width: number): string {
  const parts: string[] = [e.task];
  if (e.total !== undefined && e.total > 0) {
    const frac = Math.min(1, Math.max(0, e.done / e.total));
    const barWidth = 24;
    const full = Math.round(frac * barWidth);
    parts.push(`[${'#'.repeat(full)}${'-'.repeat(barWidth - full)}]`, `${e.done}/${e.total}`);
  } else {
    parts.push(String(e.done));
  }
  if (e.itemsPerSecond !== undefined && Number.isFinite(e.itemsPerSecond)) {
    parts.push(`${e.itemsPerSecond >= 10 ? Math.round(e.itemsPerSecond) : e.itemsPerSecond.toFixed(1)}/s`);
  }
  if (e.etaSeconds !== undefined && Number.isFinite(e.etaSeconds)) parts.push(`ETA ${seconds(e.etaSeconds)}`);
  if (e.message) parts.push(e.message);
  const line = parts.join(' ');
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) + '…' : line;
}

/**
 * Draws ProgressEvents as a single rewritten line on stderr, only when stderr is a terminal
 * (never in pipes, files or CI logs). Redraws at most ten times a second.
 */
export function progressRenderer(io: CliIo): ProgressRenderer {
  if (!io.interactive) return { listener: undefined, finish() {} };
  const stream = io.stderr as CliIo['stderr'] & { columns?: number };
  let last = 0;
  let drawn = false;
  const listener: ProgressListener = (e) => {
    const now = Date.now();
    const complete = e.total !== undefined && e.done >= e.total;
    if (!complete && now - last < 100) return;
    last = now;
    const width = Math.max(20, (stream.columns && stream.columns > 0 ? stream.columns : 80) - 1);
    stream.write(`\r\x1b[K${progressLine(e, width)}`);
    drawn = true;
  };
  return {
    listener,
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
