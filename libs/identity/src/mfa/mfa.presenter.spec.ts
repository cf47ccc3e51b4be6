import { anMfaMethod } from '@lmp/database/testing';
import { maskEmail, maskPhone, methodHint, methodView, overviewView } from './mfa.presenter';

describe('2FA presenter', () => {
  it('names each kind of method, never showing a phone or address in full', () => {
    expect(maskPhone('+447700900123')).toBe('+44 ••• 0123');
    expect(maskEmail('ada.lovelace@example.test')).toBe('a•••@example.test');
    expect(methodHint({ kind: 'totp', target: null })).toBe('Authenticator app');
    expect(methodHint({ kind: 'sms', target: '+14155550123' })).toBe('Text message to +14 ••• 0123');
    expect(methodHint({ kind: 'email', target: 'ada@example.test' })).toBe('Email to a•••@example.test');
  });

  it('shows a method without its secret, code or target', () => {
    const method = anMfaMethod({ kind: 'sms', target: '+14155550123', secret: 'x', codeHash: 'y', isDefault: true });
    expect(methodView(method)).toEqual({
      id: method.id,
      kind: 'sms',
      hint: 'Text message to +14 ••• 0123',
      isDefault: true,
      confirmed: true,
      createdAt: method.createdAt.toISOString(),
    });
    expect(methodView({ ...method, confirmedAt: null }).confirmed).toBe(false);
  });

  it('says 2FA is on while a confirmed method exists, and counts recovery codes only then', () => {
    expect(overviewView([], 4)).toEqual({ enabled: false, methods: [], recoveryCodesLeft: 0 });
    expect(overviewView([anMfaMethod()], 4)).toMatchObject({ enabled: true, recoveryCodesLeft: 4 });
  });
});
