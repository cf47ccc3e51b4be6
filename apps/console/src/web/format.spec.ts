import { actionLabel, dateTime, pageNumber, pager, urlWith } from './format';

describe(pager.name, () => {
  const href = (n: number) => `/list?page=${n}`;

  it('says which rows are shown and links the neighbours', () => {
    const sut = pager(2, 25, 60, href);

    expect(sut).toMatchObject({ from: 26, to: 50, total: 60, prev: '/list?page=1', next: '/list?page=3', many: true });
    expect(sut.pages.map((p) => [p.number, p.current])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it('shows at most five page links around the current page', () => {
    expect(pager(10, 10, 1000, href).pages.map((p) => p.number)).toEqual([8, 9, 10, 11, 12]);
    expect(pager(100, 10, 1000, href).pages.map((p) => p.number)).toEqual([96, 97, 98, 99, 100]);
  });

  it('marks a total that was only counted that far', () => {
    expect(pager(1, 25, 1000, href, true)).toMatchObject({ total: 1000, more: true, many: true });
    expect(pager(1, 25, 60, href)).toMatchObject({ more: false });
  });

  it('has no links for a single page, and shows 0 of 0 when empty', () => {
    expect(pager(1, 25, 3, href)).toMatchObject({ from: 1, to: 3, prev: null, next: null, many: false });
    expect(pager(1, 25, 0, href)).toMatchObject({ from: 0, to: 0, total: 0, many: false });
  });

  it('points "previous" at the last page from beyond it', () => {
    expect(pager(9, 25, 30, href)).toMatchObject({ from: 30, to: 30, prev: '/list?page=2', next: null });
  });
});

describe(urlWith.name, () => {
  it('encodes values and leaves out empty ones', () => {
    expect(urlWith('/p', { q: 'a&b c', page: 2, sort: '', x: undefined, y: null })).toBe('/p?q=a%26b+c&page=2');
    expect(urlWith('/p', {})).toBe('/p');
  });
});

describe(pageNumber.name, () => {
  it.each([
    ['3', 3],
    [undefined, 1],
    ['0', 1],
    ['-2', 1],
    ['abc', 1],
    ['1e3', 1],
    ['9999999', 1],
  ])('reads %p as page %p', (raw, page) => {
    expect(pageNumber(raw)).toBe(page);
  });
});

describe(dateTime.name, () => {
  it('shows UTC and says so, keeping the ISO value for <time>', () => {
    expect(dateTime('2026-03-07T14:05:09.000Z')).toEqual({
      iso: '2026-03-07T14:05:09.000Z',
      text: '7 Mar 2026, 14:05 UTC',
    });
    expect(dateTime(null)).toBeNull();
  });
});

describe(actionLabel.name, () => {
  it('reads known actions as words and shows unknown ones as stored', () => {
    expect(actionLabel('account.password_reset.requested')).toBe('Password reset requested');
    expect(actionLabel('something.new')).toBe('something.new');
  });
});
