/** Options every command accepts (see `program.ts`). */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  json?: boolean;
  explain?: boolean;
  quiet?: boolean;
  platform?: string;
  /** `--build`: build the image from its sources (the `build` setting, as STIGMER_BUILD=1; the rebuild plugin acts on it). */
  build?: boolean;
  /** `--offline`: nothing may touch the network. */
  offline?: boolean;
  /** `--pull <policy>`: the pull policy registry plugins honour. */
  pull?: string;
}
