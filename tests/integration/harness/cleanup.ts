/**
 * Undo steps run in reverse order of setup. Every step runs even when an
 * earlier one fails, so one stuck registry does not leave the others (and
 * their temp dirs) behind; the failures are reported together at the end.
 */
export class Cleanup {
  readonly #steps: Array<{ name: string; run: () => Promise<unknown> | unknown }> = [];

  add(name: string, run: () => Promise<unknown> | unknown): void {
    this.#steps.push({ name, run });
  }

  async run(): Promise<void> {
    const failures: Error[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        failures.push(new Error(`cleanup "${step.name}" failed: ${String(error)}`, { cause: error }));
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, failures.map((failure) => failure.message).join('\n'));
  }
}
