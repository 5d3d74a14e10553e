/** `text` as a regular expression that matches exactly it (references hold `.`, `:` and `/`). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
