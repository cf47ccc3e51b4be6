import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * Process settings the apps apply before anything else runs (they import this module first).
 *
 * libuv's thread pool is sized to the cores, unless UV_THREADPOOL_SIZE is set: argon2 hashes
 * there, and more threads than cores only make each hash slower and hold more 19 MiB buffers.
 * It must be set before the pool's first task.
 *
 * V8 lets the heap grow to up to four times what survived the last full collection before it
 * collects again; on a machine with plenty of memory a console then sat at 300+ MB of RSS for
 * some 60 MB of live objects. Growing by half instead keeps it near 200 MB under load, for no
 * measurable CPU (BENCHMARKS.md B4). A --heap-growing-percent given to node wins.
 */
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(availableParallelism());

const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
if (!/--heap[-_]growing[-_]percent/.test(given)) setFlagsFromString('--heap-growing-percent=50');

export {};
