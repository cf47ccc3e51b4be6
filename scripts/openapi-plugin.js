// The @nestjs/swagger CLI plugin as a ts-jest AST transformer, with the options the console's
// build uses (nest-cli.json), so the tests see the same OpenAPI document as the built app.
// The plugin needs the type checker: jest.config.js compiles the files it reads (controllers,
// DTOs, response classes) without isolatedModules, and only those.
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const entry = nestCli.projects.console.compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger');

module.exports.name = 'lmp-openapi-plugin';
// Bump when the options change, so ts-jest's cache is not reused.
module.exports.version = 2;
module.exports.factory = (tsCompiler) => plugin.before({ ...entry.options }, tsCompiler.program);
