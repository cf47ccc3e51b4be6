import { Type } from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { IsEmail, IsInt, IsNotEmpty, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation';

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
