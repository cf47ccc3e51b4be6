import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Response } from 'express';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { APP_CONFIG, AppConfig, DEFAULT_HELP_URL } from '@lmp/config';
import { CONSOLE_ROOT } from '../console-root';

/** The root under which every feature keeps its `views/`: the source tree, or the build. */
export function viewsRoot(): string {
  const layout = join(CONSOLE_ROOT, 'web', 'views', 'layout.hbs');
  if (!existsSync(layout)) throw new Error(`page views not found in ${CONSOLE_ROOT}`);
  return CONSOLE_ROOT;
}

/** Stylesheets and scripts, served under /assets. */
export function publicDir(): string {
  return join(CONSOLE_ROOT, 'web', 'public');
}

export interface PageData {
  title: string;
  [key: string]: unknown;
}

const VIEWS = 'views';
const PARTIALS = 'partials';

interface ViewFile {
  /** `partner/customers/customer` for `partner/customers/views/customer.hbs`. */
  name: string;
  /** Set for a file under a `views/partials/` directory: its file name, `pager`. */
  partial?: string;
  path: string;
}

/**
 * Every .hbs file in a `views/` directory of a feature, named by the feature's path and its own
 * path within `views/`, without the extension.
 */
function viewFiles(dir: string, root = dir, inViews = false): ViewFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') return [];
      return viewFiles(path, root, inViews || entry.name === VIEWS);
    }
    if (!inViews || !entry.name.endsWith('.hbs')) return [];
    const parts = relative(root, path).split(sep);
    const at = parts.indexOf(VIEWS);
    const within = parts.slice(at + 1);
    const name = [...parts.slice(0, at), ...within].join('/').replace(/\.hbs$/, '');
    const partial = within.length === 2 && within[0] === PARTIALS ? within[1].replace(/\.hbs$/, '') : undefined;
    return [{ name, partial, path }];
  });
}

/**
 * Server-rendered pages: one layout (`web/views/layout.hbs`), one Handlebars instance, views
 * compiled once at start. Each feature keeps its views in its own `views/` directory, and a page
 * names its view by the feature's path (`partner/customers/customer`); files under a
 * `views/partials/` directory are registered as partials by their file name (`{{> pager}}`).
 */
@Injectable()
export class PageRenderer {
  private readonly hbs = Handlebars.create();
  private readonly views = new Map<string, HandlebarsTemplateDelegate>();
  private readonly layout: HandlebarsTemplateDelegate;

  private readonly helpUrl: string;

  constructor(@Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'helpUrl'>) {
    this.helpUrl = config?.helpUrl ?? DEFAULT_HELP_URL;
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const { name, partial, path } of viewFiles(viewsRoot())) {
      const source = readFileSync(path, 'utf8');
      if (partial) this.hbs.registerPartial(partial, source);
      else this.views.set(name, this.hbs.compile(source));
    }
    this.layout = this.views.get('web/layout')!;
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
