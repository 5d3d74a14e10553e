/** Options every command accepts (see `program.ts`). */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  json?: boolean;
  explain?: boolean;
  quiet?: boolean;
  platform?: string;
}
