import request from 'supertest';

/** Rows of an RFC 4180 CSV text (quoted fields, doubled quotes, CRLF or LF line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

/** Asks supertest for the body as it came: `res.body` is `{ text, chunks }`, the chunks counted. */
export function chunked(req: request.Test): request.Test {
  return req.buffer(true).parse((res, done) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => done(null, { text: Buffer.concat(parts).toString('utf8'), chunks: parts.length }));
  });
}

/** The header row and the records of a CSV download (its UTF-8 byte order mark checked and dropped). */
export function csvRecords(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  if (!text.startsWith('\uFEFF')) throw new Error('the CSV does not start with a UTF-8 byte order mark');
  const [header, ...rest] = parseCsv(text.slice(1));
  return { header, rows: rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}
