import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailTemplate } from './jobs';
import { MAIL_SUBJECTS, MailTemplateProps } from './mail-templates';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Where the .hbs files are: beside this file in the source tree, and in `templates/` beside
 * the bundle in a build (nest-cli copies them there). Never the working directory.
 */
export function templatesDir(): string {
  const candidates = [join(__dirname, 'templates'), join(__dirname, '..', 'templates')];
  const found = candidates.find((dir) => existsSync(join(dir, 'layout.html.hbs')));
  if (!found) throw new Error(`mail templates not found (looked in ${candidates.join(', ')})`);
  return found;
}

type Compiled = { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate };

/** Renders mail with one Handlebars instance in strict mode: a missing prop fails, it never renders blank. */
@Injectable()
export class TemplateRenderer {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<MailTemplate, Compiled>();

  constructor() {
    const dir = templatesDir();
    this.hbs.registerPartial('layout', readFileSync(join(dir, 'layout.html.hbs'), 'utf8'));
    for (const name of Object.values(MailTemplate)) {
      const read = (ext: string) => readFileSync(join(dir, `${name}.${ext}.hbs`), 'utf8');
      this.compiled.set(name, {
        html: this.hbs.compile(read('html'), { strict: true }),
        text: this.hbs.compile(read('text'), { strict: true, noEscape: true }),
      });
    }
  }

  render<T extends MailTemplate>(template: T, props: MailTemplateProps[T]): RenderedMail {
    const compiled = this.compiled.get(template);
    if (!compiled) throw new Error(`unknown mail template ${template}`);
    return { subject: MAIL_SUBJECTS[template], html: compiled.html(props), text: compiled.text(props) };
  }
}
