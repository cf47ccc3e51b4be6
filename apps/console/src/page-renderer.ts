import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Server-rendered pages: one layout, one Handlebars instance, views compiled once at start. */
@Injectable()
export class PageRenderer {
  private readonly hbs = Handlebars.create();
  private readonly views = new Map<string, HandlebarsTemplateDelegate>();
  private readonly layout: HandlebarsTemplateDelegate;

  constructor() {
    const dir = viewsDir();
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      this.views.set(file.replace(/\.hbs$/, ''), this.hbs.compile(readFileSync(join(dir, file), 'utf8')));
    }
    this.layout = this.views.get('layout')!;
  }

  html(view: string, data: PageData): string {
    const template = this.views.get(view);
    if (!template) throw new Error(`no view ${view}`);
    return this.layout({ ...data, body: template(data) });
  }

  send(res: Response, view: string, data: PageData, status = 200): void {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(this.html(view, data));
  }
}
