import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { isEmail, ValidateBy, ValidationOptions } from 'class-validator';
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

/**
 * Keys that name what every object inherits (`__proto__`, `constructor`, `toString`...) or a
 * class's `prototype`. class-validator's whitelist does not see them (they are on every object),
 * and class-transformer copies them onto the DTO, where a `constructor` that is not a class broke
 * validation itself (a TypeError, 500) and a `toString` that is not a function waits for the
 * first template string.
 */
const isPrototypeKey = (key: string) => key === 'prototype' || key in Object.prototype;

/** A UTF-16 surrogate without its other half: no UTF-8 encoding exists for it (encodeURI throws). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bounds the walk; JSON bodies are already refused beyond 32 levels before they are parsed. */
const MAX_WALK_DEPTH = 64;

/**
 * What no field of any request may carry, wherever it is: prototype keys, and strings with a
 * lone surrogate (they cannot be stored as UTF-8 or put in a URL). Field paths are dotted.
 */
export function unsafeInputErrors(value: unknown, prefix = '', depth = 0): FieldError[] {
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value)
      ? [{ field: prefix, message: `${prefix || 'value'} must be valid Unicode text` }]
      : [];
  }
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return [];
  const out: FieldError[] = [];
  for (const key of Object.keys(value)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isPrototypeKey(key)) out.push({ field, message: `property ${key} is not allowed` });
    else out.push(...unsafeInputErrors((value as Record<string, unknown>)[key], field, depth + 1));
  }
  return out;
}

/** Throws a 400 problem when `unsafeInputErrors` finds anything. */
export function assertSafeInput(value: unknown): void {
  const errors = unsafeInputErrors(value);
  if (errors.length) throw new ValidationProblem(errors);
}

/** The global pipe: bodies and query strings are first checked for what no DTO may receive. */
class SafeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') assertSafeInput(value);
    return super.transform(value, metadata);
  }
}

/** The one validation pipe: unknown fields are refused, values are converted to the DTO's types. */
export function createValidationPipe(): ValidationPipe {
  return new SafeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}

/** C0 and C1 controls (NUL, escape, DEL...) and the invisible bidirectional marks, embeddings and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * An email address: no control or bidi characters (an address that reads one way and routes
 * another), valid Unicode, then validator.js's syntax check, which is kept from throwing.
 */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || CONTROL_CHARS.test(value) || LONE_SURROGATE.test(value)) return false;
          try {
            return isEmail(value);
          } catch {
            return false;
          }
        },
        defaultMessage: (args) =>
          typeof args?.value === 'string' && CONTROL_CHARS.test(args.value)
            ? `${args.property} must not contain control characters`
            : `${args?.property} must be an email address`,
      },
    },
    options,
  );
}

/**
 * Text shown to people (names, company names): no NUL or other control characters and no bidi
 * overrides, which would make a name display as something else (`Mal\u202Eyrol`).
 */
export function IsDisplayText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDisplayText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !CONTROL_CHARS.test(value),
        defaultMessage: (args) => `${args?.property} must not contain control characters or bidirectional overrides`,
      },
    },
    options,
  );
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
