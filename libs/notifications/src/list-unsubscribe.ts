/**
 * The headers that make a marketing mail unsubscribable in one click (RFC 8058): mail clients
 * POST `List-Unsubscribe=One-Click` to the https URL, without the recipient signing in.
 * Only marketing mail carries them; security notices must keep reaching the owner.
 */
export function listUnsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  const url = new URL(unsubscribeUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('unsubscribe URL must be http(s)');
  return {
    'List-Unsubscribe': `<${url.toString()}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
