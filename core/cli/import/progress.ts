// The import progress bar on stderr: messages, bytes, rate and ETA. A terminal gets one line redrawn
// at most 10 times a second; a pipe or log file gets a plain line every few seconds and at the end.
import type { Writable } from 'node:stream';
import { formatSize } from '../sizes.js';
import type { ImportEstimate } from './import-source.js';

const TTY_REDRAW_MS = 100;
const PLAIN_LINE_MS = 5_000;
const BAR_WIDTH = 24;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ImportProgress {
  private messages = 0;
  private bytes = 0;
  private lastDrawMs = 0;
  private readonly startMs: number;

  constructor(
    private readonly stream: Writable & { readonly isTTY?: boolean },
    private readonly label: string,
    private readonly estimate: ImportEstimate,
    private readonly clockMs: () => number = () => Date.now(),
  ) {
    this.startMs = clockMs();
  }

  /** Counts one processed message (imported or skipped as already there). */
  advance(sizeBytes: number): void {
    this.messages++;
    this.bytes += sizeBytes;
    const now = this.clockMs();
    if (now - this.lastDrawMs >= (this.stream.isTTY ? TTY_REDRAW_MS : PLAIN_LINE_MS)) this.draw(now);
  }

  /** The final line, always written. */
  finish(): void {
    this.draw(this.clockMs());
    if (this.stream.isTTY) this.stream.write('\n');
  }

  line(nowMs: number = this.clockMs()): string {
    const seconds = Math.max((nowMs - this.startMs) / 1000, 0.001);
    const rate = this.messages / seconds;
    const total = Math.max(this.estimate.messages, this.messages);
    const fraction = total === 0 ? 1 : this.messages / total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bytes = this.estimate.bytes === null ? formatSize(this.bytes) : `${formatSize(this.bytes)}/${formatSize(this.estimate.bytes)}`;
    const eta = rate > 0 ? (total - this.messages) / rate : Number.POSITIVE_INFINITY;
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.messages}/${total} msgs  ${bytes}  ${rate.toFixed(1)} msg/s  ${formatSize(this.bytes / seconds)}/s  ETA ${formatDuration(eta)}`;
  }

  private draw(nowMs: number): void {
    this.lastDrawMs = nowMs;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${this.line(nowMs)}` : `${this.line(nowMs)}\n`);
  }
}
