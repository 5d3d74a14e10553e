/** What a plugin's call did. `passed` and `resolved` are for the resolution chain. */
export type TraceOutcome = 'resolved' | 'passed' | 'rejected' | 'retry' | 'ok' | 'failed' | 'timeout';

/** One message a plugin logged during a call. */
export interface TraceMessage {
  level: 'debug' | 'info' | 'warn';
  message: string;
}

/**
 * One decision in a run: which plugin ran in which hook, what it decided and
 * why. This is what `--explain` prints and `--json` emits; it never holds secrets.
 */
export interface TraceEntry {
  /** Position in the run, from 1. */
  seq: number;
  hook: string;
  plugin: string;
  outcome: TraceOutcome;
  /** The plugin's own words for its decision (via `ctx.note`), or the error message. */
  reason?: string;
  /** The image reference the plugin worked on, when it worked on one. */
  reference?: string;
  /** The error the plugin met and absorbed (a failed pull it passed on). */
  error?: string;
  /** Error code when the call failed. */
  code?: string;
  durationMs: number;
  messages: TraceMessage[];
}

/** Collects trace entries for one run. */
export class Trace {
  readonly entries: TraceEntry[] = [];

  /** Starts an entry; the caller fills in the outcome and duration when the call ends. */
  begin(hook: string, plugin: string): TraceEntry {
    const entry: TraceEntry = {
      seq: this.entries.length + 1,
      hook,
      plugin,
      outcome: 'ok',
      durationMs: 0,
      messages: [],
    };
    this.entries.push(entry);
    return entry;
  }

  /** Entries of one hook, in order. */
  of(hook: string): TraceEntry[] {
    return this.entries.filter((e) => e.hook === hook);
  }
}
