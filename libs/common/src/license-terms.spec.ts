import { checkNoticeDays, daysLeft, dueThreshold, graceLeft, parseNoticeDays, renewedExpiry } from './license-terms';

const at = (iso: string) => new Date(iso);

describe('license terms', () => {
  it('counts calendar days to the expiry, whatever the hour', () => {
    expect(daysLeft(at('2030-03-08T09:00:00Z'), at('2030-03-01T23:59:00Z'))).toBe(7);
    expect(daysLeft(at('2030-03-08T09:00:00Z'), at('2030-03-08T23:00:00Z'))).toBe(0);
    expect(daysLeft(at('2030-03-08T09:00:00Z'), at('2030-03-11T00:00:00Z'))).toBe(-3);
  });

  it.each([
    [31, null],
    [30, 30],
    [8, 30],
    [7, 7],
    [2, 7],
    [1, 1],
    [0, 0],
    [-3, 0],
    [-7, 0],
    [-8, null],
  ])('a license %i days from its expiry is due the %p-day notice (30, 7, 1)', (left, due) => {
    expect(dueThreshold(left, [30, 7, 1])).toBe(due);
  });

  it('keeps sending the expiry notice through a grace period longer than the catch-up', () => {
    expect(dueThreshold(-20, [30, 7, 1], 30)).toBe(0);
    expect(dueThreshold(-31, [30, 7, 1], 30)).toBeNull();
    expect(graceLeft(-3, 10)).toBe(7);
    expect(graceLeft(-12, 10)).toBe(0);
  });

  it('accepts up to six whole days from 1 to 365, sorted without repeats', () => {
    expect(checkNoticeDays([7, 30, 7, 1])).toEqual({ days: [30, 7, 1] });
    expect(checkNoticeDays([])).toEqual({ days: [] });
    expect(checkNoticeDays([0])).toHaveProperty('error');
    expect(checkNoticeDays([366])).toHaveProperty('error');
    expect(checkNoticeDays([1.5])).toHaveProperty('error');
    expect(checkNoticeDays(['7'])).toHaveProperty('error');
    expect(checkNoticeDays([1, 2, 3, 4, 5, 6, 7])).toHaveProperty('error');
    expect(checkNoticeDays('30,7')).toHaveProperty('error');
    expect(parseNoticeDays('7, 30,x,0,1')).toEqual([30, 7, 1]);
  });

  it('renews from the old expiry, or from today once it has expired', () => {
    const now = at('2030-06-15T12:00:00Z');
    expect(renewedExpiry(at('2030-07-01T00:00:00Z'), 'P1Y', now)).toEqual(at('2031-07-01T00:00:00Z'));
    expect(renewedExpiry(at('2030-06-01T00:00:00Z'), 'P1M', now)).toEqual(at('2030-07-15T12:00:00Z'));
    expect(renewedExpiry(at('2031-01-31T00:00:00Z'), 'P1M', now)).toEqual(at('2031-02-28T00:00:00Z'));
    expect(renewedExpiry(at('2030-07-01T00:00:00Z'), 'P2W3D', now)).toEqual(at('2030-07-18T00:00:00Z'));
    for (const bad of ['P', 'P0D', '1Y', 'P1H', 'PT1H', 'P-1Y', 'P1Y ']) {
      expect(renewedExpiry(at('2030-07-01T00:00:00Z'), bad, now)).toBeNull();
    }
  });
});
