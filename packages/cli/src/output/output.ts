import type { GlobalOptions } from '../options.js';

/** A warning of the run, kept for the `--json` document. */
export interface Warning {
  message: string;
  /** The plugin that warned, when one did. */
  plugin?: string | undefined;
}

/**
 * Where a command writes. Results go to stdout; warnings, progress and
 * errors to stderr, so `--json` output on stdout stays parseable. With
 * `--json` every run prints exactly one document on stdout, shaped alike:
 * `ok`, the command's fields or `error`, and `warnings`.
 */
export class Output {
  /** Redacts secrets before anything is written; set once a session knows them. */
  redact: (text: string) => string = (text) => text;
  /** Every warning of the run, in order. */
  readonly warnings: Warning[] = [];

  constructor(
    readonly options: GlobalOptions,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** A result line, for humans (nothing in `--json` mode). */
  line(text = ''): void {
    if (!this.options.json) this.stdout.write(`${this.redact(text)}\n`);
  }

  /**
   * The `--json` document of a run that succeeded: `ok`, the command's fields,
   * `warnings`. `redact: false` leaves secrets in the fields (the user asked for them).
   */
  result(fields: Record<string, unknown>, options: { redact?: boolean } = {}): void {
    // Unredacted fields (secrets the user asked for) never unredact the warnings.
    const warnings =
      options.redact === false
        ? this.warnings.map((w) => ({ ...w, message: this.redact(w.message) }))
        : this.warnings;
    this.document({ ok: true, ...fields, warnings }, options);
  }

  /** Writes one JSON document on stdout; `result` and the error boundary build it. */
  document(value: { ok: boolean } & Record<string, unknown>, options: { redact?: boolean } = {}): void {
    const text = JSON.stringify(value, null, 2);
    this.stdout.write(`${options.redact === false ? text : this.redact(text)}\n`);
  }

  /**
   * Text on stdout exactly as given, secrets included: only for output the
   * user asked to hold them (`server manifest --include-secrets`).
   */
  unredacted(text: string): void {
    this.stdout.write(text);
  }

  /**
   * A warning on stderr: `warning: ...` for people, a JSON line
   * (`{"event":"warning",...}`) with `--json`, nothing with `--quiet`. Kept
   * for the `--json` document either way.
   */
  warn(message: string, plugin?: string): void {
    this.warnings.push(plugin === undefined ? { message } : { plugin, message });
    if (this.options.quiet) return;
    const text = this.options.json
      ? JSON.stringify({ event: 'warning', ...(plugin === undefined ? {} : { plugin }), message })
      : `warning: ${plugin === undefined ? '' : `${plugin}: `}${message}`;
    this.stderr.write(`${this.redact(text)}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.redact(text)}\n`);
  }
}
