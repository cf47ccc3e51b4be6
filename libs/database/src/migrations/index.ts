import { InitialSchema1763700000000 } from './1763700000000-initial-schema';

/** Explicit, ordered migration list: globs break in bundled builds. */
export const MIGRATIONS = [InitialSchema1763700000000];
