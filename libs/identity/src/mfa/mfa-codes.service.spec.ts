import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NotFoundProblem, RateLimitedProblem, ValidationProblem } from '@lmp/common';
import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { MfaMethod, RecoveryCode, TransactionRunner } from '@lmp/database';
import { anMfaMethod, aUser, inlineTransactions } from '@lmp/database/testing';
import { MailTemplate, OutboxWriter, SmsTemplate } from '@lmp/notifications';
import { RateLimitStore } from '../rate-limit.store';
import { SENT_CODE_TTL_MS } from './codes';
import { MfaCodes, RESEND_AFTER_MS, SEND_LIMIT } from './mfa-codes.service';
import { MfaRepository } from './mfa.repository';
import { newTotpSecret, totpCode } from './totp';

const meta = { ip: null };
const config = { dataEncryptionKey: randomBytes(32), sessionSecret: 'unit-test-secret' } as AppConfig;

function setup() {
  const { runner, tx } = inlineTransactions();
  const t = newTestService(MfaCodes, [
    [TransactionRunner, runner],
    [APP_CONFIG, config],
  ]);
  t.mock(MfaRepository).claimSend.mockResolvedValue(true);
  t.mock(MfaRepository).claimStep.mockResolvedValue(true);
  t.mock(RateLimitStore).increment.mockResolvedValue({
    totalHits: 1,
    timeToExpire: 0,
    isBlocked: false,
    timeToBlockExpire: 0,
  });
  return { ...t, tx };
}

/** The method as stored after the last `repo.update` the service made. */
function stored(mock: ReturnType<typeof setup>['mock'], method: MfaMethod): MfaMethod {
  const changes = mock(MfaRepository).update.mock.calls.map((c) => c[3]);
  return Object.assign({ ...method }, ...changes);
}

describe('MfaCodes', () => {
  // What the service logs (a code sent, a key that cannot be opened) is not under test here.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('texts a six-digit code, kept only as an HMAC, that checks; a wrong one counts a try', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const sms = anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123' });

    await sut.send(tx, user, sms, 'sign-in', meta);

    const [, template, to, props] = mock(OutboxWriter).sms.mock.calls[0];
    expect([template, to]).toEqual([SmsTemplate.VerificationCode, '+14155550123']);
    expect(props.code).toMatch(/^\d{6}$/);
    const sent = stored(mock, sms);
    expect(sent.codeExpiresAt).toEqual(new Date(TEST_NOW.getTime() + SENT_CODE_TTL_MS));
    expect(sent.codeHash).not.toContain(props.code);

    expect(await sut.check(tx, user, sent, props.code)).toEqual({ ok: true });
    const wrong = props.code === '000000' ? '111111' : '000000';
    expect(await sut.check(tx, user, sent, wrong)).toEqual({ ok: false, reason: 'wrong' });
    expect(mock(MfaRepository).update).toHaveBeenLastCalledWith(tx.em, user.id, sms.id, { codeTries: 1 });
  });

  it('mails the code for an email method, saying what it is for', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const email = anMfaMethod({ userId: user.id, kind: 'email', target: 'second@example.test' });

    await sut.send(tx, user, email, 'reauth', meta);

    const [, template, to, props] = mock(OutboxWriter).mail.mock.calls[0];
    expect([template, to]).toEqual([MailTemplate.MfaCode, 'second@example.test']);
    expect(props).toMatchObject({ purpose: 'confirm that it is you before changing your sign-in methods' });
  });

  it('sends at most one code per method every 30 s, and says how long to wait', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const sms = anMfaMethod({ userId: user.id, kind: 'sms', target: '+14155550123' });
    mock(MfaRepository).claimSend.mockResolvedValue(false);
    mock(MfaRepository).find.mockResolvedValue({ ...sms, codeSentAt: new Date(TEST_NOW.getTime() - 10_000) });

    const refused = sut.send(tx, user, sms, 'sign-in', meta);

    await expect(refused).rejects.toBeInstanceOf(RateLimitedProblem);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: (RESEND_AFTER_MS - 10_000) / 1000 });
    expect(mock(MfaRepository).claimSend).toHaveBeenCalledWith(
      tx.em,
      user.id,
      sms.id,
      TEST_NOW,
      new Date(TEST_NOW.getTime() - RESEND_AFTER_MS),
    );
    expect(mock(OutboxWriter).sms).not.toHaveBeenCalled();
  });

  it('counts sends per user and target, and refuses beyond the limit', async () => {
    const { sut, mock } = setup();
    mock(RateLimitStore).increment.mockResolvedValue({
      totalHits: 11,
      timeToExpire: 600,
      isBlocked: true,
      timeToBlockExpire: 600,
    });

    await expect(sut.countSend('u-1', '+14155550123')).rejects.toMatchObject({ retryAfterSeconds: 600 });
    expect(mock(RateLimitStore).increment).toHaveBeenCalledWith(
      'u-1:+14155550123',
      SEND_LIMIT.windowMs,
      SEND_LIMIT.limit,
      SEND_LIMIT.blockMs,
      'mfa-send',
    );
  });

  it('checks an authenticator code against the sealed key, each time step once', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const secret = newTotpSecret();
    const app = anMfaMethod({ userId: user.id, kind: 'totp' });
    app.secret = sut.sealSecret(app, secret);
    expect(app.secret).not.toContain(secret);

    expect(await sut.check(tx, user, app, totpCode(secret, TEST_NOW))).toEqual({ ok: true });
    mock(MfaRepository).claimStep.mockResolvedValue(false);
    expect(await sut.check(tx, user, app, totpCode(secret, TEST_NOW))).toEqual({ ok: false, reason: 'wrong' });
    // A key sealed to another method does not open: its codes never verify.
    const copied = { ...app, id: 'another-method' };
    mock(MfaRepository).claimStep.mockResolvedValue(true);
    expect(await sut.check(tx, user, copied, totpCode(secret, TEST_NOW))).toEqual({ ok: false, reason: 'wrong' });
  });

  it('sends codes only for confirmed SMS and email methods of the user', async () => {
    const { sut, mock } = setup();
    const user = aUser();
    mock(MfaRepository).find.mockResolvedValueOnce(anMfaMethod({ kind: 'totp' }));
    await expect(sut.sendForMethod(user, 'm-1', meta, 'sign-in')).rejects.toBeInstanceOf(ValidationProblem);
    mock(MfaRepository).find.mockResolvedValueOnce(anMfaMethod({ kind: 'sms', target: '+1', confirmedAt: null }));
    await expect(sut.sendForMethod(user, 'm-1', meta, 'sign-in')).rejects.toBeInstanceOf(NotFoundProblem);
    mock(MfaRepository).find.mockResolvedValueOnce(null);
    await expect(sut.sendForMethod(user, 'm-1', meta, 'sign-in')).rejects.toBeInstanceOf(NotFoundProblem);
    expect(mock(RateLimitStore).increment).not.toHaveBeenCalled();
  });

  it('spends a correct code of a confirmed method, and takes no code for a pending one', async () => {
    const { sut, mock, tx } = setup();
    const user = aUser();
    const secret = newTotpSecret();
    const app = anMfaMethod({ userId: user.id, kind: 'totp' });
    app.secret = sut.sealSecret(app, secret);
    mock(MfaRepository).find.mockResolvedValueOnce(app);

    expect(await sut.verifyForMethod(user, app.id, totpCode(secret, TEST_NOW))).toEqual({ ok: true, kind: 'totp' });
    expect(mock(MfaRepository).update).toHaveBeenCalledWith(tx.em, user.id, app.id, {
      codeHash: null,
      codeExpiresAt: null,
    });

    mock(MfaRepository).find.mockResolvedValueOnce({ ...app, confirmedAt: null });
    expect(await sut.verifyForMethod(user, app.id, totpCode(secret, TEST_NOW))).toEqual({ ok: false, reason: 'wrong' });
  });

  it('recognises a recovery code however it is typed, only for its own user', async () => {
    const { sut, mock, tx } = setup();
    const [code] = await sut.issueRecoveryCodes(tx, 'u-1');
    const hashes = mock(MfaRepository).replaceRecoveryCodes.mock.calls[0][2];
    expect(hashes).toHaveLength(10);
    const unused = hashes.map((codeHash, i) => ({ id: `r${i}`, userId: 'u-1', codeHash }) as RecoveryCode);

    const typed = ` ${code.toUpperCase().replace('-', ' ')} `;
    expect(sut.matchRecoveryCode('u-1', typed, unused)?.id).toBe('r0');
    expect(sut.matchRecoveryCode('u-2', code, unused)).toBeUndefined();
  });
});
