import { NotFoundProblem } from '@lmp/common';

/** Who acts: a signed-in partner staff member. Every partner service method is scoped by `partnerId`. */
export interface PartnerActor {
  partnerId: string;
  userId: string;
  ip: string | null;
}

/** The row a partner-scoped lookup found; a 404 naming `what` when it is not the partner's. */
export async function found<T>(lookup: Promise<T | null>, what: string): Promise<T> {
  const row = await lookup;
  if (!row) throw new NotFoundProblem(what);
  return row;
}
