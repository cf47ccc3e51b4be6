import { Customer, Partner, Tx, User } from '@lmp/database';
import { MailTemplate, OutboxWriter } from '@lmp/notifications';

/**
 * Tells every Full Access user of the company (the promoted one too, so run it after the role
 * is written) that a partner gave `promoted` Full Access, in the caller's transaction. Whichever
 * way a partner gives Full Access, the company's admins hear of it.
 */
export async function notifyPromotion(
  tx: Tx,
  outbox: OutboxWriter,
  p: { partnerId: string; customerId: string; promoted: User },
): Promise<void> {
  const partner = await tx.em.findOneByOrFail(Partner, { id: p.partnerId });
  const customer = await tx.em.findOneByOrFail(Customer, { id: p.customerId, partnerId: p.partnerId });
  const admins = await tx.em.findBy(User, { customerId: p.customerId, role: 'full_access' });
  for (const admin of admins.filter((u) => u.status !== 'disabled')) {
    await outbox.mail(tx, MailTemplate.RolePromoted, admin.email, {
      firstName: admin.firstName || admin.email,
      promotedName: `${p.promoted.firstName} ${p.promoted.lastName}`.trim() || p.promoted.email,
      promotedEmail: p.promoted.email,
      companyName: customer.companyName,
      partnerName: partner.name,
    });
  }
}
