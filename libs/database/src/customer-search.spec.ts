import { searchText, searchTrigrams, trigramRows, trigramsOf } from './customer-search';

describe('customer name trigrams', () => {
  it('normalises case, accents and punctuation the way LIKE ignores them', () => {
    expect(searchText('  Électricité  de France, S.A. ')).toBe('electricite de france s a');
    expect(searchText('Müller & Söhne GmbH')).toBe('muller sohne gmbh');
  });

  it('lists each trigram of a name once, and none for text shorter than three', () => {
    expect(trigramsOf('Acme Labs')).toEqual(['acm', 'cme', 'me ', 'e l', ' la', 'lab', 'abs']);
    expect(trigramsOf('anana')).toEqual(['ana', 'nan']);
    expect(trigramsOf('ab')).toEqual([]);
    expect(trigramsOf('!!')).toEqual([]);
  });

  it('samples at most three trigrams of a search, first, middle and last', () => {
    expect(searchTrigrams('Norv')).toEqual(['nor', 'orv']);
    expect(searchTrigrams('Logistics')).toEqual(['log', 'ist', 'ics']);
  });

  it('every trigram of a search text is a trigram of any name that contains it', () => {
    const names = ['Norvatek Logistics Ltd', 'Acme Labs', "O'Neil & Partners"];
    for (const name of names) {
      for (let i = 0; i < name.length; i++) {
        for (let j = i + 3; j <= name.length; j++) {
          const grams = new Set(trigramsOf(name));
          expect(searchTrigrams(name.slice(i, j)).every((g) => grams.has(g))).toBe(true);
        }
      }
    }
  });

  it('gives the rows of the trigram table', () => {
    expect(trigramRows([{ id: 'c1', partnerId: 'p1', companyName: 'Abcd' }])).toEqual([
      ['p1', 'abc', 'c1'],
      ['p1', 'bcd', 'c1'],
    ]);
  });
});
