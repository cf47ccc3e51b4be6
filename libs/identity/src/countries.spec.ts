import { countryName, COUNTRIES, isCountryCode } from './countries';

describe('countries', () => {
  it('knows the 249 assigned ISO 3166-1 codes and nothing else', () => {
    expect(COUNTRIES).toHaveLength(249);
    expect(isCountryCode('GB')).toBe(true);
    expect(isCountryCode('AX')).toBe(true);
    for (const other of ['ZZ', 'XK', 'EU', 'gb', 'GBR', '']) expect(isCountryCode(other)).toBe(false);
  });

  it('names each code in English', () => {
    expect(countryName('GB')).toBe('United Kingdom');
    expect(countryName('CI')).toBe('Côte d’Ivoire');
    expect(countryName('ZZ')).toBeUndefined();
    expect(COUNTRIES.every((c) => c.name && c.name !== c.code)).toBe(true);
  });

  it('lists the countries by name, as a person looks for one', () => {
    const names = COUNTRIES.map((c) => c.name);
    expect(names.slice(0, 3)).toEqual(['Afghanistan', 'Åland Islands', 'Albania']);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });
});
