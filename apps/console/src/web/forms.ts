import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { isCalendarDay, ProblemException } from '@lmp/common';

/** One message per invalid field, shown next to it. */
export type FieldErrors = Record<string, string>;

export interface FormSpec {
  /** The form's fields, each with the message shown when the API's rules refuse its value. */
  fields: Record<string, string>;
  /** Fields that hold whole numbers (the API takes JSON numbers). */
  numbers?: string[];
  /** Fields from <input type="date">: a day, taken as midnight UTC. */
  dates?: string[];
  /** Messages for the field errors a service reports (a conflict, a rule across fields). */
  rules?: Record<string, string>;
}

export type FormResult<T> =
  | { ok: true; value: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Checks a posted form with the same DTO class, and so the same rules, as the JSON API. Only the
 * form's own fields are read (the CSRF token and anything else are left out). `values` are the
 * submitted strings, to fill the form again when it is refused.
 */
export function parseForm<T extends object>(dto: ClassConstructor<T>, body: unknown, spec: FormSpec): FormResult<T> {
  const posted = (body ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  const plain: Record<string, unknown> = {};
  for (const field of Object.keys(spec.fields)) {
    const raw = posted[field];
    if (typeof raw !== 'string') continue;
    values[field] = raw;
    if (spec.numbers?.includes(field)) plain[field] = /^\s*\d{1,9}\s*$/.test(raw) ? Number(raw) : raw;
    else if (spec.dates?.includes(field)) plain[field] = isCalendarDay(raw) ? `${raw}T00:00:00.000Z` : 'not a date';
    else plain[field] = raw;
  }
  const instance = plainToInstance(dto, plain);
  const errors: FieldErrors = {};
  for (const e of validateSync(instance, { whitelist: true })) {
    errors[e.property] ??= spec.fields[e.property] ?? `${e.property} is not valid.`;
  }
  return Object.keys(errors).length ? { ok: false, errors, values } : { ok: true, value: instance, values };
}

/**
 * The field errors of a problem a service threw for a form's input (400 or 409 with `errors`),
 * worded for the form; null for any other error, which the caller rethrows.
 */
export function ruleErrors(err: unknown, spec: FormSpec): FieldErrors | null {
  if (!(err instanceof ProblemException) || !err.problem.errors?.length) return null;
  const status = err.getStatus();
  if (status !== 400 && status !== 409) return null;
  const errors: FieldErrors = {};
  for (const e of err.problem.errors) {
    errors[e.field] ??= spec.rules?.[e.field] ?? spec.fields[e.field] ?? `${e.field} ${e.message}.`;
  }
  return errors;
}

/** Runs a service call whose field errors belong next to the form's fields; rethrows any other error. */
export async function attempt<T>(
  spec: FormSpec,
  work: () => Promise<T>,
): Promise<{ value: T } | { errors: FieldErrors }> {
  try {
    return { value: await work() };
  } catch (err) {
    const errors = ruleErrors(err, spec);
    if (!errors) throw err;
    return { errors };
  }
}

/** A form field or query value as a string; '' when it is missing or not a string. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A 409 the service explains in words (the last Full Access user); null for any other error. */
export function conflictMessage(err: unknown): string | null {
  if (!(err instanceof ProblemException) || err.getStatus() !== 409) return null;
  return err.problem.detail ?? 'This change conflicts with the current state. Reload the page and try again.';
}

/** Checkbox fields as booleans: a checked box is posted, an unchecked one is not. */
export const checked = (body: unknown, field: string): boolean =>
  typeof ((body ?? {}) as Record<string, unknown>)[field] === 'string';

/** A form's errors as the list above it (each links to its field). */
export const errorList = (errors: FieldErrors) =>
  Object.entries(errors).map(([field, message]) => ({ field, message }));

/** The choices of a form's select: each value with its label, the current one selected. */
export function options(values: readonly string[], selected: string | undefined, labels: Record<string, string>) {
  return values.map((value) => ({ value, label: labels[value] ?? value, selected: value === selected }));
}
