import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

/** `?page=&pageSize=` as docs/api.md defines them for every list. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize: number = 25;
}

/** `?page=&pageSize=&q=&sort=`: a page of a list that can be searched and sorted. */
export class ListQuery extends PageQuery {
  @ApiPropertyOptional({ maxLength: 200, description: 'Search text.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'A field name, `-` first for descending.', pattern: '^-?[a-zA-Z]+$' })
  @IsOptional()
  @IsString()
  @Matches(/^-?[a-zA-Z]+$/, { message: 'sort must be a field name, optionally prefixed by -' })
  sort?: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  /** Set when a search matches more than `total`: it was counted only that far ("1000+"). */
  totalCapped?: true;
}

export interface PageRequest {
  page: number;
  pageSize: number;
}

export function offsetOf(p: PageRequest): number {
  return (p.page - 1) * p.pageSize;
}

/** Parses `sort=name` / `sort=-name` against the allowed fields; unknown fields give the default. */
export function parseSort<F extends string>(
  sort: string | undefined,
  allowed: Record<string, F>,
  fallback: { field: F; direction: 'ASC' | 'DESC' },
): { field: F; direction: 'ASC' | 'DESC' } {
  if (!sort) return fallback;
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  const field = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
  return field ? { field, direction: desc ? 'DESC' : 'ASC' } : fallback;
}
