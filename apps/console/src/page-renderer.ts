import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Response } from 'express';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { APP_CONFIG, AppConfig, DEFAULT_HELP_URL } from '@lmp/config';

/** `views/` beside this file in the source tree, and beside the bundle in a build. */
export function viewsDir(): string {
  const dir = join(__dirname, 'views');
  if (!existsSync(join(dir, 'layout.hbs'))) throw new Error(`page views not found in ${dir}`);
  return dir;
}

/** Stylesheets and images, served under /assets. */
export function publicDir(): string {
  return join(__dirname, 'public');
}

export interface PageData {
  title: string;
  [key: string]: unknown;
}

const PARTIALS = 'partials';

/** Every .hbs file under `dir`, named by its path without the extension: `partner/customers`. */
function viewFiles(dir: string, root = dir): Array<{ name: string; path: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return viewFiles(path, root);
    if (!entry.name.endsWith('.hbs')) return [];
    return [
      {
        name: relative(root, path)
          .split(sep)
          .join('/')
          .replace(/\.hbs$/, ''),
        path,
      },
    ];
  });
}

/**
 * Server-rendered pages: one layout, one Handlebars instance, views compiled once at start.
 * Views may sit in sub-directories (`partner/customer`); files under `views/partials/` are
 * registered as partials by their name within that directory (`{{> pagination}}`).
 */
@Injectable()
export class PageRenderer {
  private readonly hbs = Handlebars.create();
  private readonly views = new Map<string, HandlebarsTemplateDelegate>();
  private readonly layout: HandlebarsTemplateDelegate;

  private readonly helpUrl: string;

  constructor(@Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'helpUrl'>) {
    this.helpUrl = config?.helpUrl ?? DEFAULT_HELP_URL;
    const dir = viewsDir();
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const { name, path } of viewFiles(dir)) {
      const source = readFileSync(path, 'utf8');
      if (name.startsWith(`${PARTIALS}/`)) this.hbs.registerPartial(name.slice(PARTIALS.length + 1), source);
      else this.views.set(name, this.hbs.compile(source));
    }
    this.layout = this.views.get('layout')!;
  }

  html(view: string, data: PageData): string {
    const template = this.views.get(view);
    if (!template) throw new Error(`no view ${view}`);
    return this.layout({ ...data, helpUrl: this.helpUrl, body: template(data) });
  }

  send(res: Response, view: string, data: PageData, status = 200): void {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(this.html(view, data));
  }
}
