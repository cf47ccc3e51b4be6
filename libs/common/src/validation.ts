import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationProblem } from './problem';

/** Flattens class-validator's tree into `{field, message}` pairs with dotted field paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** The one validation pipe: unknown fields are refused, values are converted to the DTO's types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}

const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** True for `YYYY-MM-DD` naming a real day: JavaScript would read 2027-02-30 as the 2nd of March. */
export function isCalendarDay(raw: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const date = new Date(`${raw}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw;
}

/**
 * An ISO 8601 date or date-time as a Date, for a DTO's `@Transform`. Anything else, or a day
 * that does not exist (2027-02-30), becomes an invalid Date, which `@IsDate` then refuses.
 */
export function toIsoDate({ value: converted, obj, key }: { value: unknown; obj?: object; key?: string }): unknown {
  // The value as sent: implicit conversion may already have made a (rolled-over) Date of it.
  const value = obj && key && key in obj ? (obj as Record<string, unknown>)[key] : converted;
  if (value instanceof Date || value === undefined || value === null) return value;
  if (typeof value !== 'string') return new Date(NaN);
  const m = ISO_DATE.exec(value.trim());
  if (!m || !isCalendarDay(m[1])) return new Date(NaN);
  return new Date(m[2] ? value.trim() : `${m[1]}T00:00:00.000Z`);
}
