// npm run fuzz -- [--requests N] [--seed N] [--mariadb]: property-based fuzzing of every JSON route
// against an embedded console (SQLite, jobs in-process), the generator of test/e2e/fuzz.e2e-spec.ts
// run for longer. Runs the TypeScript entry test/fuzz/main.ts. Exit 1 on any 5xx.
const { runTs } = require('./run-ts');

runTs('test/fuzz/main.ts');
