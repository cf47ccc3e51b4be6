import { InitialSchema1763700000000 } from './1763700000000-initial-schema';
import { SelfService1763800000000 } from './1763800000000-self-service';
import { AccountSettings1763900000000 } from './1763900000000-account-settings';
import { BrowseAtScale1764050000000 } from './1764050000000-browse-at-scale';
import { TwoFactor1764100000000 } from './1764100000000-two-factor';
import { Reauth1765200000000 } from './1765200000000-reauth';
import { NotMeAddress1765300000000 } from './1765300000000-not-me-address';
import { OutboxDue1765400000000 } from './1765400000000-outbox-due';
import { MigrationTimes1765500000000 } from './1765500000000-migration-times';
import { ApiTokens1765600000000 } from './1765600000000-api-tokens';
import { Webhooks1765610000000 } from './1765610000000-webhooks';
import { LicenseNotices1765620000000 } from './1765620000000-license-notices';

export { DIRECT_PARTNER_CODE, DIRECT_PARTNER_ID } from './1763800000000-self-service';

/** Explicit, ordered migration list: globs break in bundled builds. */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  SelfService1763800000000,
  AccountSettings1763900000000,
  BrowseAtScale1764050000000,
  TwoFactor1764100000000,
  Reauth1765200000000,
  NotMeAddress1765300000000,
  OutboxDue1765400000000,
  MigrationTimes1765500000000,
  ApiTokens1765600000000,
  Webhooks1765610000000,
  LicenseNotices1765620000000,
];
