// Four tiers, one runner. `npm test` runs them all (scripts/test.js); each tier checks
// its own services first and fails with one line when one cannot be reached.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    // What the OpenAPI document is made from (controllers, DTOs, response classes) goes through
    // the @nestjs/swagger plugin as in the build (scripts/openapi-plugin.js). The plugin needs
    // the type checker, which isolatedModules leaves out, so only these files pay for it (and
    // get a ts-jest of their own: scripts/openapi-jest-transformer.js says why).
    '(\\.controller|dto|responses)\\.ts$': [
      '<rootDir>/scripts/openapi-jest-transformer.js',
      {
        tsconfig: { isolatedModules: false },
        diagnostics: false,
        astTransformers: { before: ['<rootDir>/scripts/openapi-plugin.js'] },
      },
    ],
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
};

module.exports = {
  testTimeout: 60000,
  // Two files at a time even on two cores (jest's default there is one): much of a test's time
  // is spent waiting on servers, timers and browsers, and every file has its own database, queue
  // prefix and ports, so files never share state.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
    },
    {
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
    },
  ],
};
