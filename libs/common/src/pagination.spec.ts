// The DTOs in pagination.ts use decorators that read design-time metadata, as they do in the app.
import 'reflect-metadata';
import { offsetOf, parseSort } from './pagination';

const SORTABLE = { companyName: 'company_name', createdAt: 'created_at', country: 'country' } as const;
type Column = (typeof SORTABLE)[keyof typeof SORTABLE];
const FALLBACK: { field: Column; direction: 'ASC' | 'DESC' } = { field: 'company_name', direction: 'ASC' };

describe('parseSort', () => {
  it('gives the fallback when no sort is asked for', () => {
    expect(parseSort(undefined, SORTABLE, FALLBACK)).toBe(FALLBACK);
    expect(parseSort('', SORTABLE, FALLBACK)).toBe(FALLBACK);
  });

  it('sorts ascending by the column of an allowed field', () => {
    expect(parseSort('createdAt', SORTABLE, FALLBACK)).toEqual({ field: 'created_at', direction: 'ASC' });
  });

  it('sorts descending for -field', () => {
    expect(parseSort('-createdAt', SORTABLE, FALLBACK)).toEqual({ field: 'created_at', direction: 'DESC' });
    expect(parseSort('-country', SORTABLE, FALLBACK)).toEqual({ field: 'country', direction: 'DESC' });
  });

  it('gives the fallback for an unknown field, ascending or descending', () => {
    expect(parseSort('password', SORTABLE, FALLBACK)).toBe(FALLBACK);
    expect(parseSort('-password', SORTABLE, FALLBACK)).toBe(FALLBACK);
  });

  it('never sorts by a raw column name the client sends (only the allowed field names)', () => {
    expect(parseSort('created_at', SORTABLE, FALLBACK)).toBe(FALLBACK);
  });

  it('is case-sensitive about field names', () => {
    expect(parseSort('CreatedAt', SORTABLE, FALLBACK)).toBe(FALLBACK);
  });

  // `sort` passes ListQuery's /^-?[a-zA-Z]+$/ check for any letters, so names of inherited
  // Object properties reach parseSort too. They are unknown fields and must give the fallback,
  // not a function as the ORDER BY column.
  it('gives the fallback for names inherited from Object.prototype (constructor, toString, ...)', () => {
    const results = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '-isPrototypeOf'].map((sort) => ({
      sort,
      field: parseSort(sort, SORTABLE, FALLBACK).field,
    }));

    expect(results.filter((r) => r.field !== FALLBACK.field)).toEqual([]);
  });
});

describe('offsetOf', () => {
  it('starts the first page at row 0', () => {
    expect(offsetOf({ page: 1, pageSize: 25 })).toBe(0);
  });

  it('skips the rows of the earlier pages', () => {
    expect(offsetOf({ page: 3, pageSize: 25 })).toBe(50);
  });
});
