import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '@lmp/database';
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
