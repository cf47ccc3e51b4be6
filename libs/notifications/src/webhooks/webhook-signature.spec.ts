import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signatureHeaders } from './webhook-signature';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'evt-1', type: 'customer.created', data: { customerId: 'c-1' } });

  it('makes a whsec_ secret of 32 random bytes', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });

  it('signs so that the Standard Webhooks library verifies the body', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders(secret, 'evt-1', now, body);

    expect(headers['webhook-id']).toBe('evt-1');
    expect(headers['webhook-timestamp']).toBe(String(now));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('gives the same signature as the library for the same id, time and body', () => {
    const secret = newWebhookSecret();
    const at = new Date('2030-03-01T09:30:00Z');
    const mine = signatureHeaders(secret, 'evt-1', at.getTime() / 1000, body)['webhook-signature'];
    expect(mine).toBe(new Webhook(secret).sign('evt-1', at, body));
  });

  it.each([
    ['another secret', { secret: newWebhookSecret() }],
    ['a changed body', { body: body.replace('c-1', 'c-2') }],
    ['another event id', { id: 'evt-2' }],
  ])('does not verify with %s', (_label, change: { secret?: string; body?: string; id?: string }) => {
    const secret = newWebhookSecret();
    const headers = signatureHeaders(secret, 'evt-1', Math.floor(Date.now() / 1000), body);
    const verifier = new Webhook(change.secret ?? secret);
    expect(() =>
      verifier.verify(change.body ?? body, { ...headers, 'webhook-id': change.id ?? headers['webhook-id'] }),
    ).toThrow();
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signatureHeaders('abc', 'evt-1', 1, body)).toThrow(/whsec_/);
  });
});
