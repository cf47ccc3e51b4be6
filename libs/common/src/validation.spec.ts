import { Type } from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { IsEmail, IsInt, IsNotEmpty, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors, IsDisplayText, IsEmailAddress, toIsoDate, unsafeInputErrors } from './validation';

class Address {
  @IsString()
  @IsNotEmpty()
  city!: string;
}

class Line {
  @IsInt()
  @Min(1)
  seats!: number;
}

class Order {
  @IsEmail()
  email!: string;

  @ValidateNested()
  @Type(() => Address)
  address!: Address;

  @ValidateNested({ each: true })
  @Type(() => Line)
  lines!: Line[];
}

function validate(body: object): ValidationError[] {
  return validateSync(plainToInstance(Order, body));
}

describe('flattenValidationErrors', () => {
  it('gives nothing for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
    expect(flattenValidationErrors(validate({ email: 'a@b.example', address: { city: 'Oslo' }, lines: [] }))).toEqual(
      [],
    );
  });

  it('reports a top-level field by its name', () => {
    const sut = flattenValidationErrors(validate({ email: 'nope', address: { city: 'Oslo' }, lines: [] }));

    expect(sut).toEqual([{ field: 'email', message: 'email must be an email' }]);
  });

  it('reports a nested field with a dotted path', () => {
    const sut = flattenValidationErrors(validate({ email: 'a@b.example', address: { city: '' }, lines: [] }));

    expect(sut).toEqual([{ field: 'address.city', message: 'city should not be empty' }]);
  });

  it('reports an item of a list by its index', () => {
    const sut = flattenValidationErrors(
      validate({ email: 'a@b.example', address: { city: 'Oslo' }, lines: [{ seats: 3 }, { seats: 0 }] }),
    );

    expect(sut).toEqual([{ field: 'lines.1.seats', message: 'seats must not be less than 1' }]);
  });

  it('reports every broken constraint of a field', () => {
    const sut = flattenValidationErrors(validate({ email: 'a@b.example', address: { city: 7 }, lines: [] }));

    expect(sut.map((e) => e.field)).toEqual(['address.city']);
    expect(sut.map((e) => e.message)).toEqual(['city must be a string']);

    const both = flattenValidationErrors(
      validate({ email: 'a@b.example', address: { city: 'Oslo' }, lines: [{ seats: 'x' }] }),
    );
    expect(both).toEqual([
      { field: 'lines.0.seats', message: 'seats must not be less than 1' },
      { field: 'lines.0.seats', message: 'seats must be an integer number' },
    ]);
  });

  it('walks a hand-built tree several levels deep under a prefix', () => {
    const tree: ValidationError[] = [
      {
        property: 'billing',
        children: [
          {
            property: 'contact',
            constraints: { isDefined: 'contact must be defined' },
            children: [{ property: 'phone', constraints: { isPhone: 'phone must be a phone number' }, children: [] }],
          },
        ],
      },
    ];

    expect(flattenValidationErrors(tree, 'body')).toEqual([
      { field: 'body.billing.contact', message: 'contact must be defined' },
      { field: 'body.billing.contact.phone', message: 'phone must be a phone number' },
    ]);
  });
});

describe('toIsoDate', () => {
  const read = (value: unknown) => toIsoDate({ value, obj: { d: value }, key: 'd' });
  const valid = (v: unknown) => v instanceof Date && !Number.isNaN(v.getTime());

  it('reads a day as midnight UTC and a date-time with its offset', () => {
    expect((read('2036-02-29') as Date).toISOString()).toBe('2036-02-29T00:00:00.000Z');
    expect((read('2036-03-01T12:30:00+02:00') as Date).toISOString()).toBe('2036-03-01T10:30:00.000Z');
    expect((read('2036-03-01T12:30Z') as Date).toISOString()).toBe('2036-03-01T12:30:00.000Z');
  });

  it('makes an invalid date of days that do not exist and of anything not ISO 8601', () => {
    for (const bad of ['2037-02-29', '2027-02-30T00:00:00Z', '2037-00-10', 'soon', '1/2/2030', 12345, true]) {
      expect(valid(read(bad))).toBe(false);
    }
  });

  it('reads the value as sent, not a Date that implicit conversion rolled over', () => {
    expect(valid(toIsoDate({ value: new Date('2027-03-02'), obj: { d: '2027-02-30' }, key: 'd' }))).toBe(false);
  });

  it('leaves a missing value to the other rules', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read(null)).toBeNull();
  });
});

describe('unsafeInputErrors', () => {
  it('names prototype keys at any depth', () => {
    const body = JSON.parse(
      '{"a":{"constructor":1},"__proto__":{},"list":[{"prototype":null}],"toString":"x","b":{"hasOwnProperty":1},"ok":"x"}',
    );
    expect(unsafeInputErrors(body)).toEqual([
      { field: 'a.constructor', message: 'property constructor is not allowed' },
      { field: '__proto__', message: 'property __proto__ is not allowed' },
      { field: 'list.0.prototype', message: 'property prototype is not allowed' },
      { field: 'toString', message: 'property toString is not allowed' },
      { field: 'b.hasOwnProperty', message: 'property hasOwnProperty is not allowed' },
    ]);
    expect(unsafeInputErrors({ proto: 1, constructorName: 'x', tostring: 2 })).toEqual([]);
  });

  it('names strings with a lone surrogate, and lets pairs through', () => {
    expect(unsafeInputErrors({ email: 'a\ud800@b.example', name: 'x\udc00', ok: 'Zoë \u{1f600}' })).toEqual([
      { field: 'email', message: 'email must be valid Unicode text' },
      { field: 'name', message: 'name must be valid Unicode text' },
    ]);
    expect(unsafeInputErrors({ ok: ['plain', 1, null, true, '\ud83d\ude00'] })).toEqual([]);
  });
});

class Person {
  @IsEmailAddress()
  email!: string;

  @IsDisplayText()
  name!: string;
}

describe('IsEmailAddress and IsDisplayText', () => {
  const check = (email: unknown, name: unknown) =>
    flattenValidationErrors(validateSync(plainToInstance(Person, { email, name })));

  it('accepts ordinary addresses and names in any script', () => {
    expect(check('ana.lopez+work@example.com', "Zoë Ŝtraße 李 O'Brien")).toEqual([]);
  });

  it('refuses control and bidi characters in an address, and never throws on a lone surrogate', () => {
    for (const c of ['\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\u200e', '\u202e', '\u2066', '\u2069'])
      expect(check(`a${c}b@example.com`, 'n')).toEqual([
        { field: 'email', message: 'email must not contain control characters' },
      ]);
    expect(check('a\ud800@example.com', 'n')).toEqual([{ field: 'email', message: 'email must be an email address' }]);
    expect(check(42, 'n')).toEqual([{ field: 'email', message: 'email must be an email address' }]);
  });

  it('refuses NUL and bidi overrides in names', () => {
    for (const c of ['\u0000', '\u202d', '\u202e', '\u2067'])
      expect(check('a@example.com', `Mal${c}lory`)).toEqual([
        { field: 'name', message: 'name must not contain control characters or bidirectional overrides' },
      ]);
  });
});
