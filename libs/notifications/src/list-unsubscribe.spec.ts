import { listUnsubscribeHeaders } from './list-unsubscribe';

describe(listUnsubscribeHeaders.name, () => {
  it('gives the RFC 8058 one-click pair of headers', () => {
    const sut = listUnsubscribeHeaders('https://lmp.example.com/unsubscribe?token=a.b');

    expect(sut).toEqual({
      'List-Unsubscribe': '<https://lmp.example.com/unsubscribe?token=a.b>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('refuses a URL that a mail client could not POST to', () => {
    expect(() => listUnsubscribeHeaders('mailto:x@example.com')).toThrow(/http/);
  });
});
