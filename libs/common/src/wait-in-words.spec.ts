import { tooManyRequests, waitInWords } from './wait-in-words';

describe(waitInWords.name, () => {
  it.each([
    [0, '1 second'],
    [1, '1 second'],
    [30, '30 seconds'],
    [58.2, '59 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [900, '15 minutes'],
    [7100, '119 minutes'],
    [7200, '2 hours'],
    [3 * 3600 + 1, '4 hours'],
  ])('says %s seconds as "%s", rounded up', (seconds, words) => {
    expect(waitInWords(seconds)).toBe(words);
  });

  it('words a refusal with the wait', () => {
    expect(tooManyRequests(900)).toBe('Too many requests. Try again in 15 minutes.');
  });
});
