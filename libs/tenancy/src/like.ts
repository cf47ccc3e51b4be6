/**
 * Escapes LIKE wildcards so a search for "50%" matches the text "50%". The escape character
 * is "!", written `ESCAPE '!'` in queries: the same literal on MySQL and SQLite, which a
 * backslash is not.
 */
export function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}
