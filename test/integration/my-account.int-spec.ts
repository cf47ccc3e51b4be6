import {
  AccountContext,
  changeEmail,
  changePassword,
  companyUsers,
  editProfile,
  emailChangeEndsOldLinks,
  invitationLimits,
  invitationsDoNotLeak,
  notMe,
  notMeAfterChange,
  partnerPromotion,
  reauthFailures,
  sessions,
  subscriptions,
  unverifiedCannotInvite,
} from '../support/account-flow';
import { ProductionStack, startProductionStack } from '../support/stacks';

/** My Profile and company users on the production path: MariaDB, Redis, a worker and SMTP. */
describe('my account and company users (MariaDB + Redis + worker + SMTP)', () => {
  let stack: ProductionStack;
  let ctx: AccountContext;

  beforeAll(async () => {
    stack = await startProductionStack();
    ctx = { app: stack.sut.app, settle: stack.sut.settle, mailbox: stack.mailbox };
  });
  afterAll(() => stack?.close());
  it('changes the password: current password, confirmation, rules; other sessions end', () => changePassword(ctx));
  it('edits the profile with field errors for a bad phone or country', () => editProfile(ctx));
  it('changes the email address only when the link to the new one is used', () => changeEmail(ctx));
  it("locks the account from the old address's 'this wasn't me' link", () => notMe(ctx));
  it("gives the account back to the old address when 'this wasn't me' follows a completed change", () =>
    notMeAfterChange(ctx));
  it('keeps email preferences with a consent trail; one-click unsubscribe works signed out', () => subscriptions(ctx));
  it('lists sessions and signs out one or all others', () => sessions(ctx));
  it('lets full-access users manage company users, never the last admin, never another company', () =>
    companyUsers(ctx));
  it('lets a partner admin promote a user when the admin left', () => partnerPromotion(ctx));
  it('ends links mailed to the old address and other sessions when a new address is confirmed', () =>
    emailChangeEndsOldLinks(ctx));
  it('counts, audits and limits passwords given again inside a session', () => reauthFailures(ctx));
  it('never tells an inviter whether an address has an account in another tenant', () => invitationsDoNotLeak(ctx));
  it('limits invitations per inviting user and per company', () => invitationLimits(ctx));
  it('lets no unverified self-signed-up user invite', () => unverifiedCannotInvite(ctx));
});
