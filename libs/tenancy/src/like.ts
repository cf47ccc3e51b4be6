/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
