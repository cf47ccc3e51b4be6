import { page, Page } from '../web/page-result';

/** Pages behind emailed links send no Referer onwards: their address carries the link's token. */
export const NO_REFERRER = { 'Referrer-Policy': 'no-referrer' };

/** An emailed link that is unknown, spent or expired. */
export const LINK_INVALID = (): Page =>
  page('web/link-invalid', { title: 'Link not valid' }, { status: 400, headers: NO_REFERRER });
