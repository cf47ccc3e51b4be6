import { StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { pipeline, Readable } from 'node:stream';

/** One column of a CSV export: its header and how a row gives its cell. */
export interface CsvColumn<T> {
  header: string;
  cell: (row: T) => string | number | boolean | null | undefined;
}

/** Starts a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell's text, safe to open in a spreadsheet: text that could start a formula gets a leading
 * single quote, so it shows as the text it is and never runs. Numbers and booleans we produce
 * ourselves are left alone; null and undefined are empty cells.
 */
export function csvCell(value: string | number | boolean | null | undefined): string | number | boolean {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** `customers-2026-12-01.csv`: what, and the day (UTC) it was taken. */
export function csvFilename(what: string, now: Date): string {
  return `${what}-${now.toISOString().slice(0, 10)}.csv`;
}

/**
 * A CSV download streamed from batches of rows (a repository's keyset pages): UTF-8 with a BOM
 * (so spreadsheets read it as UTF-8) and a header row. The next batch is read only when the
 * client has taken the rows before it (stream backpressure), so memory stays flat whatever the
 * length; a failure midway aborts the response rather than ending a truncated file cleanly.
 */
export function csvFile<T>(filename: string, columns: CsvColumn<T>[], batches: AsyncIterable<T[]>): StreamableFile {
  async function* records() {
    for await (const batch of batches) for (const row of batch) yield columns.map((c) => csvCell(c.cell(row)));
  }
  const csv = stringify({ header: true, columns: columns.map((c) => c.header), bom: true });
  pipeline(Readable.from(records()), csv, () => undefined);
  return new StreamableFile(csv, {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${filename}"`,
  });
}
