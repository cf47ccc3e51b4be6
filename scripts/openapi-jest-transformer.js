// The ts-jest transformer for the files the OpenAPI plugin reads (see jest.config.js).
// ts-jest keeps one compiler per jest project, in a static cache on its transformer class keyed
// by the project's config, so a second ts-jest entry with other options would silently reuse
// the first one's (isolated, plugin-less) compiler. This entry gets its own copy of the class.
// The shared copy is loaded first, whatever the order: jest's main process has it already (from
// jest.config.js), but a worker process may come here before it loads the plain ts-jest entry,
// which would then find this entry's copy in the module cache and share its compiler.
const modulePath = require.resolve('ts-jest/dist/legacy/ts-jest-transformer');
require(modulePath);
const shared = require.cache[modulePath];
delete require.cache[modulePath];
const { TsJestTransformer } = require(modulePath);
require.cache[modulePath] = shared;

module.exports = {
  createTransformer: (options) => new TsJestTransformer(options),
};
