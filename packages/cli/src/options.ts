/** Options every command accepts (see `program.ts`). */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  json?: boolean;
  explain?: boolean;
  quiet?: boolean;
  platform?: string;
  /** `--build`: let the rebuild plugin build the image (as STIGMER_BUILD=1). */
  build?: boolean;
  /** `--offline`: nothing may touch the network. */
  offline?: boolean;
  /** `--pull <policy>`: the pull policy registry plugins honour. */
  pull?: string;
}
