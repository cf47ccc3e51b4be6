import { Type } from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { IsEmail, IsInt, IsNotEmpty, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors, toIsoDate } from './validation';

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
