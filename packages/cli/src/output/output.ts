import type { GlobalOptions } from '../options.js';

/**
 * Where a command writes. Results go to stdout; warnings, progress and
 * errors to stderr, so `--json` output on stdout stays parseable.
 */
export class Output {
  /** Redacts secrets before anything is written; set once a session knows them. */
  redact: (text: string) => string = (text) => text;

  constructor(
    readonly options: GlobalOptions,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** A result line, for humans (nothing in `--json` mode). */
  line(text = ''): void {
    if (!this.options.json) this.stdout.write(`${this.redact(text)}\n`);
  }

  /** The one JSON document of a `--json` run. */
  json(value: unknown): void {
    this.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }

  warn(text: string): void {
    if (!this.options.quiet || this.options.json) this.stderr.write(`${this.redact(`warning: ${text}`)}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.redact(text)}\n`);
  }
}
