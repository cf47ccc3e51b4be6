import { Readable } from 'node:stream';
import { csvCell, csvFile, csvFilename } from './csv';

async function text(file: ReturnType<typeof csvFile>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of file.getStream() as Readable) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('CSV exports', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+49 30 123', "'+49 30 123"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', "'\rCR"],
    ['plain = text', 'plain = text'],
    ['', ''],
  ])('escapes a cell that could start a formula: %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('leaves numbers and booleans alone and writes null as an empty cell', () => {
    expect(csvCell(-3)).toBe(-3);
    expect(csvCell(true)).toBe(true);
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('names the file by what and the day', () => {
    expect(csvFilename('customers', new Date('2026-12-01T23:59:00Z'))).toBe('customers-2026-12-01.csv');
  });

  it('streams batches as UTF-8 with a BOM, a header row and quoted cells where needed', async () => {
    async function* batches() {
      yield [{ name: 'Ünïcødé, "GmbH"', n: 1 }];
      yield [];
      yield [{ name: '=cmd', n: 2 }];
    }
    const file = csvFile(
      'x.csv',
      [
        { header: 'name', cell: (r: { name: string; n: number }) => r.name },
        { header: 'n', cell: (r: { name: string; n: number }) => r.n },
      ],
      batches(),
    );
    expect(file.getHeaders()).toMatchObject({
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="x.csv"',
    });
    expect(await text(file)).toBe('\uFEFFname,n\n"Ünïcødé, ""GmbH""",1\n\'=cmd,2\n');
  });

  it('reads the next batch only when the rows before it were taken', async () => {
    let read = 0;
    async function* batches() {
      for (let i = 0; i < 100; i++) {
        read++;
        yield Array.from({ length: 1000 }, (_, j) => ({ v: `row ${i}-${j} with some text to fill the buffers` }));
      }
    }
    const file = csvFile('x.csv', [{ header: 'v', cell: (r: { v: string }) => r.v }], batches());
    const stream = file.getStream() as Readable;
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads: only the buffers' worth was produced, not the 100 batches.
    expect(read).toBeLessThan(5);
    let rows = 0;
    for await (const chunk of stream) rows += String(chunk).split('\n').length - 1;
    expect(read).toBe(100);
    expect(rows).toBe(100_001);
  });

  it('fails the stream, rather than ending it cleanly, when a batch cannot be read', async () => {
    async function* batches() {
      yield [{ v: 'first' }];
      throw new Error('database gone');
    }
    const file = csvFile('x.csv', [{ header: 'v', cell: (r: { v: string }) => r.v }], batches());
    await expect(text(file)).rejects.toThrow('database gone');
  });
});
