import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors ?? [], version: validator.version }));
`;

/**
 * Validates an OpenAPI document against the OpenAPI schema. The validator is an ES module,
 * which jest's module system cannot load, so it runs in a child Node process.
 */
export function validateOpenApi(doc: object): Promise<{ valid: boolean; errors: unknown[]; version: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', VALIDATE],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`the OpenAPI validator failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as { valid: boolean; errors: unknown[]; version: string });
      },
    );
    child.stdin!.end(JSON.stringify(doc));
  });
}
