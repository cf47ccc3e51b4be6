import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FieldError, flattenValidationErrors, ProblemException } from '@lmp/common';
import { UpdateProfileDto } from './dto';
import { FieldErrors, FormResult, FormSpec } from '../web/forms';

/** The My Profile forms: their fields, and what each says when the API's rules refuse its value. */

export const PROFILE_FORM: FormSpec = {
  fields: {
    userType: 'Choose Personal or Company.',
    firstName: 'Enter your first name (up to 100 characters).',
    lastName: 'Enter your last name (up to 100 characters).',
    phone: 'Enter a valid phone number, such as +14155550123.',
    country: 'Choose a country from the list.',
    city: 'Enter a city of up to 100 characters, or leave it empty.',
  },
};

export const PASSWORD_FORM: FormSpec = {
  fields: {
    currentPassword: 'Enter your current password.',
    newPassword: 'Enter a new password.',
    confirmPassword: 'Enter the new password again.',
  },
};

/** Where a field of the API's profile body is shown on the form: `location.country` → `country`. */
const PROFILE_FIELD: Record<string, string> = {
  location: 'country',
  'location.country': 'country',
  'location.city': 'city',
};

/** Field errors of the profile body (the DTO's or the service's), worded for the form. */
export function profileErrors(errors: FieldError[]): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const field = PROFILE_FIELD[e.field] ?? e.field;
    out[field] ??= PROFILE_FORM.fields[field] ?? `${field} ${e.message}.`;
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The Edit Profile form as the API's PATCH body, checked with the same DTO. An empty phone
 * clears it; an empty country and city clear the location; a city needs a country (the API's rule).
 */
export function parseProfile(body: unknown): FormResult<UpdateProfileDto> {
  const posted = (body ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of Object.keys(PROFILE_FORM.fields)) {
    const raw = str(posted[field]);
    if (raw !== undefined) values[field] = raw;
  }
  const plain: Record<string, unknown> = {
    userType: values.userType,
    firstName: values.firstName,
    lastName: values.lastName,
  };
  if (values.phone !== undefined) plain.phone = values.phone.trim() === '' ? null : values.phone;
  if (values.country !== undefined || values.city !== undefined) {
    const country = (values.country ?? '').trim();
    const city = (values.city ?? '').trim();
    plain.location = country || city ? { country, city: city || null } : null;
  }
  const instance = plainToInstance(UpdateProfileDto, plain);
  const errors = profileErrors(flattenValidationErrors(validateSync(instance, { whitelist: true })));
  return Object.keys(errors).length ? { ok: false, errors, values } : { ok: true, value: instance, values };
}

const PASSWORD_LABELS: Record<string, string> = {
  currentPassword: 'Your current password',
  newPassword: 'The new password',
  confirmPassword: 'The confirmation',
};

/** The service's password errors as sentences next to the fields: "The new password is too common…". */
export function passwordErrors(err: unknown): FieldErrors | null {
  if (!(err instanceof ProblemException) || err.getStatus() !== 400 || !err.problem.errors?.length) return null;
  const out: FieldErrors = {};
  for (const e of err.problem.errors) {
    out[e.field] ??= `${PASSWORD_LABELS[e.field] ?? e.field} ${e.message}.`;
  }
  return out;
}

/** The field errors of a refused profile change from the service; null for any other error. */
export function serviceProfileErrors(err: unknown): FieldErrors | null {
  if (!(err instanceof ProblemException) || err.getStatus() !== 400 || !err.problem.errors?.length) return null;
  return profileErrors(err.problem.errors);
}
