/** Builds a list page's address from the query parameters to change (undefined: drop it). */
export type SortHref = (params: Record<string, string | undefined>) => string;

/**
 * A sortable list's column headers, by column: a link that sorts by it (again: the other way,
 * `-column`), its `aria-sort` state and the arrow to show. `current` is the list's `sort`
 * parameter; the default column's ascending order needs no parameter.
 */
export function sortableColumns<C extends string>(
  columns: readonly C[],
  defaultColumn: C,
  current: string,
  href: SortHref,
): Record<C, { href: string; ariaSort: 'ascending' | 'descending' | 'none'; arrow: string }> {
  return Object.fromEntries(
    columns.map((column) => {
      const active = current.replace(/^-/, '') === column;
      const descending = active && current.startsWith('-');
      const next = active && !descending ? `-${column}` : column;
      return [
        column,
        {
          href: href({ sort: next === defaultColumn ? undefined : next }),
          ariaSort: active ? (descending ? 'descending' : 'ascending') : 'none',
          arrow: active ? (descending ? '↓' : '↑') : '',
        },
      ];
    }),
  ) as Record<C, { href: string; ariaSort: 'ascending' | 'descending' | 'none'; arrow: string }>;
}
