import { NotFoundProblem } from '@lmp/common';

/**
 * Who acts: a signed-in partner staff member, or one of the partner's API tokens. Every partner
 * service method is scoped by `partnerId`, whichever it is.
 */
export interface PartnerActor {
  partnerId: string;
  /** The staff member; for a token, the admin who created it (its invitations count against them). */
  userId: string;
  ip: string | null;
  /** Set when an API token acts: the audit trail names the token, not a user. */
  token?: { id: string; name: string };
}

/** The row a partner-scoped lookup found; a 404 naming `what` when it is not the partner's. */
export async function found<T>(lookup: Promise<T | null>, what: string): Promise<T> {
  const row = await lookup;
  if (!row) throw new NotFoundProblem(what);
  return row;
}
