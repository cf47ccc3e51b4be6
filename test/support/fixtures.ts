import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newId, OutboxMessage, User, UserRole } from '@lmp/database';
import { PasswordHasher } from '@lmp/identity';
import { ProvisioningService } from '@lmp/tenancy';
import { signIn } from './http';

export const ADMIN_PASSWORD = 'partner admin passphrase';

let seq = 0;

/**
 * A partner with a signed-in partner_admin. The partner's "require 2FA for staff" policy is off
 * unless asked for, so that tests of other features sign in with a password alone.
 */
export async function partnerWithAdmin(
  app: INestApplication,
  code = `p${Date.now().toString(36)}${seq++}`,
  { requireStaffMfa = false }: { requireStaffMfa?: boolean } = {},
) {
  const adminEmail = `admin@${code}.example.com`;
  const { partnerId, adminUserId } = await app
    .get(ProvisioningService)
    .createPartner({ name: `Partner ${code}`, code, adminEmail, adminPassword: ADMIN_PASSWORD, requireStaffMfa });
  const agent = await signIn(app, adminEmail, ADMIN_PASSWORD);
  return { partnerId, adminUserId, adminEmail, agent };
}

export function outboxCount(app: INestApplication): Promise<number> {
  return app.get(DataSource).getRepository(OutboxMessage).count();
}

/**
 * Writes an active, verified user whose password is ADMIN_PASSWORD, as an accepted invitation
 * leaves it: for partner staff (no product route creates them) and quick company users.
 */
export async function insertActiveUser(
  app: INestApplication,
  user: { email: string; firstName: string; lastName: string; role: UserRole } & (
    { partnerId: string; customerId?: null } | { customerId: string; partnerId?: null }
  ),
): Promise<void> {
  const now = new Date();
  await app
    .get(DataSource)
    .getRepository(User)
    .insert({
      id: newId(),
      passwordHash: await app.get(PasswordHasher).hash(ADMIN_PASSWORD),
      status: 'active',
      emailVerifiedAt: now,
      userType: 'company',
      createdAt: now,
      updatedAt: now,
      ...user,
      partnerId: user.partnerId ?? null,
      customerId: user.customerId ?? null,
    });
}
