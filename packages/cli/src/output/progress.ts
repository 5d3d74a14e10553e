import type { ProgressEvent } from '@stigmer/core';
import { PullProgress, type PullSnapshot } from './progress-state.js';
import { formatBytes, formatRate } from './units.js';

/**
 * How pull progress is shown: one redrawn bar on a terminal, plain lines
 * (at least every 10% of the bytes or every 10 seconds, whichever comes
 * first, stalls included) when stderr is not a terminal or `CI` is set, JSON lines with
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
/** Plain lines: at most this long apart while a pull runs, even when no byte arrives. */
export const PLAIN_INTERVAL_MS = 10_000;
/** Plain lines: one each time the bytes cross another tenth of the total. */
const PLAIN_STEPS = 10;
const JSON_INTERVAL_MS = 1_000;

interface PullView {
  progress: PullProgress;
  lastDraw: number;
  /** Tenths of the total reached at the last plain line. */
  step: number;
  done: boolean;
}

/** Renders the core's typed pull events in one of the modes. */
export class ProgressRenderer {
  readonly #pulls = new Map<string, PullView>();
  #barShown = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly mode: ProgressMode,
    private readonly sink: ProgressSink,
    private readonly options: {
      color?: boolean;
      redact?: (text: string) => string;
      now?: () => number;
      /** Plain mode's clock for lines during silence; tests drive `tick()` instead. */
      timers?: boolean;
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
      pull = {
        progress: new PullProgress(reference, () => this.now()),
        lastDraw: this.now(),
        step: 0,
        done: false,
      };
      this.#pulls.set(reference, pull);
      this.started(reference);
    }
    if (event.type === 'retry') {
      pull.progress.reset();
      pull.step = 0;
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
      pull.done = true;
      this.finished(pull.progress.snapshot(), event.digest);
      return;
    }
    if (!pull.progress.apply(event)) return;
    if (this.mode === 'plain') {
      this.plainLine(pull, false);
      return;
    }
    const interval = this.mode === 'bar' ? BAR_INTERVAL_MS : JSON_INTERVAL_MS;
    const now = this.now();
    if (now - pull.lastDraw < interval) return;
    pull.lastDraw = now;
    const snap = pull.progress.snapshot();
    if (this.mode === 'bar') this.drawBar(snap);
    else this.json({ event: 'pull-progress', ...fields(snap) });
  }

  /**
   * Plain mode's clock: a line for every pull that printed nothing for 10
   * seconds, so a log shows a slow or stalled pull as one. Called every
   * second by a timer while a pull runs (or by a test).
   */
  tick(): void {
    for (const pull of this.#pulls.values()) if (!pull.done) this.plainLine(pull, true);
  }

  /** A plain line when the bytes crossed another tenth, or when the last line is 10 s old. */
  private plainLine(pull: PullView, quietOnly: boolean): void {
    const snap = pull.progress.snapshot();
    const step = snap.total > 0 ? Math.floor((snap.bytes / snap.total) * PLAIN_STEPS) : 0;
    const now = this.now();
    const due = now - pull.lastDraw >= PLAIN_INTERVAL_MS;
    if (!due && (quietOnly || step <= pull.step || snap.bytes === 0)) return;
    pull.step = Math.max(pull.step, step);
    pull.lastDraw = now;
    const percent = snap.total > 0 ? ` (${Math.floor((snap.bytes / snap.total) * 100)}%)` : '';
    this.out(
      `  ${snap.reference}: ${amount(snap)}${percent}, ${formatRate(snap.rate)}, layers ${snap.layersDone}/${snap.layers} done\n`,
    );
  }

  /** Clears the bar so that the caller can print a warning on a clean line. */
  beforeWarning(): void {
    this.clearBar();
  }

  /** Clears the bar and stops the clock; call before printing the result or an error. */
  finish(): void {
    this.clearBar();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private started(reference: string): void {
    if (this.mode === 'json') this.json({ event: 'pull-start', reference });
    else if (this.mode === 'plain') {
      this.out(`Pulling ${reference}\n`);
      if (this.options.timers !== false && !this.#timer) {
        this.#timer = setInterval(() => this.tick(), 1000);
        this.#timer.unref();
      }
    }
  }

  private finished(snap: PullSnapshot, digest: string): void {
    this.clearBar();
    if (this.mode === 'json') {
      this.json({ event: 'pull-done', ...fields(snap), digest });
      return;
    }
    const size = snap.total > 0 ? `${formatBytes(snap.total)}, ` : '';
    const layers = snap.layers > 0 ? `${snap.layers} ${snap.layers === 1 ? 'layer' : 'layers'}, ` : '';
    this.out(`Pulled ${snap.reference}: ${size}${layers}${seconds(snap.elapsedMs)}\n`);
  }

  private json(value: Record<string, unknown>): void {
    this.out(`${JSON.stringify(value)}\n`);
  }

  private drawBar(snap: PullSnapshot): void {
    // One line that never wraps: the figures first, then the bar, then the name shortened.
    const width = Math.max(40, this.sink.columns || 80) - 1;
    const tail = `${amount(snap)}  ${formatRate(snap.rate)}  layers ${snap.layersDone}/${snap.layers}`;
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

/** The renderer for a command's pulls: stderr, in the mode the options and terminal call for. */
export function pullProgress(
  options: { quiet?: boolean | undefined; json?: boolean | undefined },
  output: { redact(text: string): string },
): ProgressRenderer {
  const tty = Boolean(process.stderr.isTTY);
  return new ProgressRenderer(progressMode(options, process.env, tty), process.stderr, {
    color: !process.env.NO_COLOR && tty,
    redact: (text) => output.redact(text),
  });
}
