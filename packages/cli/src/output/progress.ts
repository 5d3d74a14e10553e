import type { ProgressEvent } from '@stigmer/core';
import { formatBytes, PullProgress, type PullSnapshot } from './progress-state.js';

/**
 * How pull progress is shown: one redrawn bar on a terminal, a few plain
 * lines when stderr is not a terminal or `CI` is set, JSON lines with
 * `--json` (on stderr: stdout keeps its one JSON document), nothing with
 * `--quiet`.
 */
export type ProgressMode = 'bar' | 'plain' | 'json' | 'none';

export function progressMode(
  options: { quiet?: boolean | undefined; json?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): ProgressMode {
  if (options.quiet) return 'none';
  if (options.json) return 'json';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return isTTY && !ci ? 'bar' : 'plain';
}

/** Where the renderer writes: stderr, or a test's buffer. */
export interface ProgressSink {
  write(text: string): unknown;
  columns?: number | undefined;
}

const BAR_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 10_000;
const JSON_INTERVAL_MS = 1_000;

/** Renders the core's typed pull events in one of the modes. */
export class ProgressRenderer {
  readonly #pulls = new Map<string, { progress: PullProgress; lastDraw: number }>();
  #barShown = false;

  constructor(
    readonly mode: ProgressMode,
    private readonly sink: ProgressSink,
    private readonly options: {
      color?: boolean;
      redact?: (text: string) => string;
      now?: () => number;
    } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? (() => performance.now()))();
  }

  private out(text: string): void {
    this.sink.write(this.options.redact ? this.options.redact(text) : text);
  }

  /** Feeds one event from the pipeline. */
  onEvent({ reference, event }: ProgressEvent): void {
    if (this.mode === 'none') return;
    let pull = this.#pulls.get(reference);
    if (!pull) {
      pull = { progress: new PullProgress(reference, () => this.now()), lastDraw: this.now() };
      this.#pulls.set(reference, pull);
      this.started(reference);
    }
    if (event.type === 'retry') {
      pull.progress.reset();
      this.clearBar();
      if (this.mode === 'json') {
        this.json({
          event: 'pull-retry',
          reference,
          attempt: event.attempt,
          delayMs: event.delayMs,
          reason: event.reason,
        });
      } else {
        this.out(
          `Retrying ${reference} in ${seconds(event.delayMs)} (attempt ${event.attempt + 1}): ${event.reason}\n`,
        );
      }
      return;
    }
    if (event.type === 'digest') {
      this.finished(pull.progress.snapshot(), event.digest);
      return;
    }
    if (!pull.progress.apply(event)) return;
    const interval =
      this.mode === 'bar' ? BAR_INTERVAL_MS : this.mode === 'json' ? JSON_INTERVAL_MS : PLAIN_INTERVAL_MS;
    const now = this.now();
    if (now - pull.lastDraw < interval) return;
    pull.lastDraw = now;
    const snap = pull.progress.snapshot();
    if (this.mode === 'bar') this.drawBar(snap);
    else if (this.mode === 'json') this.json({ event: 'pull-progress', ...fields(snap) });
    else this.out(`  ${reference}: ${amount(snap)}, layers ${snap.layersDone}/${snap.layers}\n`);
  }

  /**
   * A warning during a pull: a JSON line in `json` mode (stderr stays all
   * JSON), else the bar is cleared so the caller can print it on a clean
   * line. True when the warning was written here.
   */
  warn(plugin: string, message: string): boolean {
    if (this.mode === 'json') {
      this.json({ event: 'warning', plugin, message });
      return true;
    }
    this.clearBar();
    return false;
  }

  /** Clears the bar; call before printing the result or an error. */
  finish(): void {
    this.clearBar();
  }

  private started(reference: string): void {
    if (this.mode === 'json') this.json({ event: 'pull-start', reference });
    else if (this.mode === 'plain') this.out(`Pulling ${reference}\n`);
  }

  private finished(snap: PullSnapshot, digest: string): void {
    this.clearBar();
    if (this.mode === 'json') {
      this.json({ event: 'pull-done', ...fields(snap), digest });
      return;
    }
    const size = snap.total > 0 ? `${formatBytes(snap.total)}, ` : '';
    const layers = snap.layers > 0 ? `${snap.layers} layers, ` : '';
    this.out(`Pulled ${snap.reference}: ${size}${layers}${seconds(snap.elapsedMs)}\n`);
  }

  private json(value: Record<string, unknown>): void {
    this.out(`${JSON.stringify(value)}\n`);
  }

  private drawBar(snap: PullSnapshot): void {
    // One line that never wraps: the figures first, then the bar, then the name shortened.
    const width = Math.max(40, this.sink.columns || 80) - 1;
    const tail = `${amount(snap)}  ${formatBytes(Math.round(snap.rate))}/s  layers ${snap.layersDone}/${snap.layers}`;
    const available = width - tail.length - 4;
    const barWidth = Math.max(10, Math.min(30, available - snap.reference.length));
    const room = Math.max(10, available - barWidth);
    const ratio = snap.total > 0 ? Math.min(1, snap.bytes / snap.total) : 0;
    const filled = Math.round(ratio * barWidth);
    let bar = `${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}`;
    if (this.options.color) bar = `\x1b[36m${bar}\x1b[39m`;
    const name = snap.reference.length > room ? `…${snap.reference.slice(-(room - 1))}` : snap.reference;
    this.out(`\r${name} [${bar}] ${tail}\x1b[K`);
    this.#barShown = true;
  }

  private clearBar(): void {
    if (!this.#barShown) return;
    this.out('\r\x1b[K');
    this.#barShown = false;
  }
}

function fields(snap: PullSnapshot) {
  return {
    reference: snap.reference,
    bytes: snap.bytes,
    total: snap.total,
    layers: snap.layers,
    layersDone: snap.layersDone,
    bytesPerSecond: Math.round(snap.rate),
    elapsedMs: Math.round(snap.elapsedMs),
  };
}

function amount(snap: PullSnapshot): string {
  return snap.total > 0 ? `${formatBytes(snap.bytes)} / ${formatBytes(snap.total)}` : formatBytes(snap.bytes);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
