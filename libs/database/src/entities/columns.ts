import { ValueTransformer } from 'typeorm';

/** Stores an object as JSON text, so the same column works on MySQL and SQLite. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value)),
  from: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : (value ?? null)),
};

/** Milliseconds are kept on MariaDB with precision 3; SQLite stores the text as it is. */
export const TIMESTAMP = { type: 'datetime', precision: 3 } as const;

/** JSON stored in text columns is kept flat: scalar values by name. */
export type FlatJson = Record<string, string | number | boolean | null>;
