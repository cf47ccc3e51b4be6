import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONSOLE_ROOT } from '../console-root';

/** Every TypeScript source file of the console, with its path from the console root. */
function sources(dir = CONSOLE_ROOT): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    if (!entry.name.endsWith('.ts')) return [];
    return [{ path: relative(CONSOLE_ROOT, full), text: readFileSync(full, 'utf8') }];
  });
}

describe('console layout', () => {
  const files = sources();

  it('keeps every file short enough to read in one go (250 lines at most)', () => {
    const long = files.filter((f) => f.text.split('\n').length > 250).map((f) => f.path);
    expect(long).toEqual([]);
  });

  it('has no handler that takes the response over (a bare @Res() switches off the interceptors)', () => {
    const handlers = files.filter((f) => !f.path.endsWith('.spec.ts'));
    const withRes = handlers.filter((f) => /@Res\(\)/.test(f.text)).map((f) => f.path);
    expect(withRes).toEqual([]);
  });

  it('checks CSRF tokens in the global guard only', () => {
    const verifying = files.filter((f) => /csrf\.verify\(/.test(f.text)).map((f) => f.path);
    expect(verifying).toEqual(['http/csrf.ts']);
  });

  it('keeps the API controllers out of what the pages import', () => {
    const pageFiles = files.filter((f) => /pages?\.controller\.ts$|presenters\.ts$|page-[a-z-]+\.ts$/.test(f.path));
    const importing = pageFiles.filter((f) =>
      /from '[^']*\/(partner|auth|me|mfa|company|account-links)\.controller'/.test(f.text),
    );
    expect(importing.map((f) => f.path)).toEqual([]);
  });
});
