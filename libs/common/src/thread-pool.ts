import { availableParallelism } from 'node:os';

/**
 * Sizes libuv's thread pool to the cores (unless UV_THREADPOOL_SIZE is set): argon2 hashes
 * there, and more threads than cores only make each hash slower and hold more 19 MiB buffers.
 * Takes effect only before the pool's first task, so the apps import this module first.
 */
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(availableParallelism());

export {};
