import { parseArgs } from 'node:util';

export const BENCHMARKS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'] as const;
export type BenchmarkId = (typeof BENCHMARKS)[number];

export interface Scale {
  name: 'small' | 'full';
  partners: number;
  customers: number;
  accountsPerCustomer: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  small: { name: 'small', partners: 100, customers: 10_000, accountsPerCustomer: 10 },
  full: { name: 'full', partners: 1000, customers: 100_000, accountsPerCustomer: 10 },
};

export interface BenchOptions {
  only: Set<BenchmarkId>;
  /** Seconds per measured run; undefined: each benchmark's own (B2 counts over 20 s, as BENCHMARKS.md says). */
  seconds?: number;
  scale: Scale;
  runs: number;
  /** Start the console and workers with --cpu-prof (profiles under bench-profiles/). */
  profile: boolean;
  /** Where bench-results.json goes. */
  out: string;
  /** Keep the per-run detail (each run, each ceiling) in the output. */
  verbose: boolean;
  /** Extra environment of the console and workers (`--app-env KEY=VALUE`), for comparisons. */
  appEnv: Record<string, string>;
  /** Instead of B1–B5: the B1–B3 loads on 1 console + 1 worker, then on 2 + 2 (scale-out.ts). */
  scaleOut: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [--only B1,B2,...] [--seconds N] [--scale small|full] [--runs N] [--profile] [--out FILE] [--scale-out]

  --only      which benchmarks (B1 sign-in, B2 reset pipeline, B3 browsing, B4 memory, B5 cold start, B6 license scan, B7 CSV export); all by default
  --seconds   length of each measured run (default: B1 10, B2 20, B3 10; the B2 latency run 10)
  --scale     small: 10k customers / 100k accounts; full (default): 100k customers / 1M accounts
  --runs      measured runs per benchmark (default 3: min/median/max)
  --profile   start the console and workers with --cpu-prof; profiles go to bench-profiles/
  --out       results file (default bench-results.json)
  --verbose   keep each run's figure and ceiling in the results file
  --app-env   KEY=VALUE for the console and workers (repeatable), e.g. UV_THREADPOOL_SIZE=4 to compare
  --scale-out instead of B1-B5: sign-ins, resets and browsing on 1 console + 1 worker, then on 2 consoles
              + 2 workers (same MariaDB and Redis): per-process figures and the 1 -> 2 scaling factor`;

export function parseOptions(argv: string[]): BenchOptions {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: 'string' },
        seconds: { type: 'string' },
        scale: { type: 'string' },
        runs: { type: 'string' },
        profile: { type: 'boolean' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        'app-env': { type: 'string', multiple: true },
        'scale-out': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  if (values.help) throw new UsageError(USAGE);
  const only = new Set<BenchmarkId>();
  for (const raw of (values.only ?? BENCHMARKS.join(',')).split(',')) {
    const id = raw.trim().toUpperCase();
    if (!id) continue;
    if (!(BENCHMARKS as readonly string[]).includes(id)) {
      throw new UsageError(`--only: unknown benchmark "${raw}" (one of ${BENCHMARKS.join(', ')})`);
    }
    only.add(id as BenchmarkId);
  }
  if (only.size === 0) throw new UsageError('--only names no benchmark');
  const number = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n < min || n > max)
      throw new UsageError(`--${name} must be from ${min} to ${max}`);
    return n;
  };
  const appEnv: Record<string, string> = {};
  for (const pair of values['app-env'] ?? []) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m) throw new UsageError(`--app-env must be KEY=VALUE, got "${pair}"`);
    appEnv[m[1]] = m[2];
  }
  const scaleName = values.scale ?? 'full';
  if (scaleName !== 'small' && scaleName !== 'full') throw new UsageError('--scale must be small or full');
  return {
    only,
    seconds: number('seconds', values.seconds, 1, 600),
    scale: SCALES[scaleName],
    runs: number('runs', values.runs, 1, 20) ?? 3,
    profile: values.profile ?? false,
    out: values.out ?? 'bench-results.json',
    verbose: values.verbose ?? false,
    appEnv,
    scaleOut: values['scale-out'] ?? false,
  };
}
