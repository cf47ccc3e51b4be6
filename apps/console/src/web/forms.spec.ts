import { ConflictProblem, NotFoundProblem, ValidationProblem } from '@lmp/common';
import { CreateLicenseDto, UpdateAccountDto } from '../partner/dto';
import { ACCOUNT_EDIT_FORM, ACCOUNT_FORM, LICENSE_FORM } from '../partner/form-specs';
import { parseForm, ruleErrors } from './forms';

describe(parseForm.name, () => {
  const license = { product: ' Suite ', seats: '12', startsAt: '2026-01-01', expiresAt: '2027-01-01' };

  it('turns form strings into the API DTO: numbers, days at midnight UTC, trimmed text', () => {
    const sut = parseForm(CreateLicenseDto, { ...license, _csrf: 'token' }, LICENSE_FORM);

    expect(sut.ok).toBe(true);
    if (!sut.ok) return;
    expect(sut.value).toEqual({
      product: 'Suite',
      seats: 12,
      startsAt: new Date('2026-01-01T00:00:00.000Z'),
      expiresAt: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(sut.values).toEqual(license);
  });

  it('gives one form message per invalid field, keeping what was typed', () => {
    const sut = parseForm(CreateLicenseDto, { product: '', seats: '1.5', startsAt: '01/02/2026' }, LICENSE_FORM);

    expect(sut).toEqual({
      ok: false,
      values: { product: '', seats: '1.5', startsAt: '01/02/2026' },
      errors: {
        product: LICENSE_FORM.fields.product,
        seats: LICENSE_FORM.fields.seats,
        startsAt: LICENSE_FORM.fields.startsAt,
        expiresAt: LICENSE_FORM.fields.expiresAt,
      },
    });
  });

  it('refuses zero seats and dates that do not exist', () => {
    const sut = parseForm(CreateLicenseDto, { ...license, seats: '0', expiresAt: '2027-02-30' }, LICENSE_FORM);

    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(Object.keys(sut.errors).sort()).toEqual(['expiresAt', 'seats']);
  });

  it('reads only the form’s own fields', () => {
    const sut = parseForm(
      UpdateAccountDto,
      { firstName: 'Ada', lastName: 'L', role: 'read_only', status: 'active', email: 'x@y.z', customerId: 'c' },
      ACCOUNT_EDIT_FORM,
    );

    expect(sut).toMatchObject({
      ok: true,
      value: { firstName: 'Ada', lastName: 'L', role: 'read_only', status: 'active' },
    });
    expect(sut.ok && Object.keys(sut.value).sort()).toEqual(['firstName', 'lastName', 'role', 'status']);
  });

  it('treats a field sent twice (an array) as missing', () => {
    const sut = parseForm(CreateLicenseDto, { ...license, seats: ['1', '2'] }, LICENSE_FORM);

    expect(sut).toMatchObject({ ok: false, errors: { seats: LICENSE_FORM.fields.seats } });
  });
});

describe(ruleErrors.name, () => {
  it('words a service’s field errors for the form', () => {
    const err = new ValidationProblem([{ field: 'expiresAt', message: 'must be after startsAt' }]);

    expect(ruleErrors(err, LICENSE_FORM)).toEqual({ expiresAt: 'The expiry date must be after the start date.' });
  });

  it('covers conflicts with field errors', () => {
    const err = new ConflictProblem('taken', [{ field: 'email', message: 'is already in use' }]);

    expect(ruleErrors(err, ACCOUNT_FORM)).toEqual({ email: 'This email address already has an account.' });
  });

  it('leaves every other error to the caller', () => {
    expect(ruleErrors(new NotFoundProblem(), LICENSE_FORM)).toBeNull();
    expect(ruleErrors(new ConflictProblem('disabled'), LICENSE_FORM)).toBeNull();
    expect(ruleErrors(new Error('boom'), LICENSE_FORM)).toBeNull();
  });
});
