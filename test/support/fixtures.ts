import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '@lmp/database';
import { ProvisioningService } from '@lmp/tenancy';
import { signIn } from './http';

export const ADMIN_PASSWORD = 'partner admin passphrase';

let seq = 0;

/** A partner with a signed-in partner_admin. */
export async function partnerWithAdmin(app: INestApplication, code = `p${Date.now().toString(36)}${seq++}`) {
  const adminEmail = `admin@${code}.example.com`;
  const { partnerId, adminUserId } = await app
    .get(ProvisioningService)
    .createPartner({ name: `Partner ${code}`, code, adminEmail, adminPassword: ADMIN_PASSWORD });
  const agent = await signIn(app, adminEmail, ADMIN_PASSWORD);
  return { partnerId, adminUserId, adminEmail, agent };
}

export function outboxCount(app: INestApplication): Promise<number> {
  return app.get(DataSource).getRepository(OutboxMessage).count();
}
