import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailTemplate, SmsTemplate } from './jobs';
import { MAIL_SUBJECTS, MailTemplateProps } from './mail-templates';
import { MailEnvelope, SmsEnvelope } from './outbox-envelope';
import { SmsTemplateProps } from './sms-templates';

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

/** One line of a partner's digest: the company, what is due, and the link to the customer. */
export interface DigestItem {
  company: string;
  detail: string;
  link: string;
}

/**
 * A digest's list travels as one flat prop (the outbox payload holds scalars): a line per
 * license, its fields separated by tabs. Company names cannot hold tabs or line breaks (forms
 * refuse control characters); they are replaced here all the same.
 */
export function formatDigestItems(items: DigestItem[]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  return items.map((i) => [clean(i.company), clean(i.detail), clean(i.link)].join('\t')).join('\n');
}

export function parseDigestItems(text: string): DigestItem[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [company = '', detail = '', link = ''] = line.split('\t');
      return { company, detail, link };
    });
}

type Compiled = { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate };

/** Renders mail and text messages with one Handlebars instance in strict mode: a missing prop fails. */
@Injectable()
export class TemplateRenderer {
  private readonly hbs = Handlebars.create();
  private readonly mail = new Map<MailTemplate, Compiled>();
  private readonly sms = new Map<SmsTemplate, HandlebarsTemplateDelegate>();

  constructor() {
    const dir = templatesDir();
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    this.hbs.registerPartial('layout', read('layout.html.hbs'));
    this.hbs.registerHelper('plural', (n: unknown, one: string, many: string) => (n === 1 ? one : many));
    this.hbs.registerHelper('digestRows', (items: unknown) => parseDigestItems(typeof items === 'string' ? items : ''));
    for (const name of Object.values(MailTemplate)) {
      this.mail.set(name, {
        html: this.hbs.compile(read(`${name}.html.hbs`), { strict: true }),
        text: this.hbs.compile(read(`${name}.text.hbs`), { strict: true, noEscape: true }),
      });
    }
    for (const name of Object.values(SmsTemplate)) {
      this.sms.set(name, this.hbs.compile(read(`${name}.sms.hbs`), { strict: true, noEscape: true }));
    }
  }

  render<T extends MailTemplate>(template: T, props: MailTemplateProps[T]): RenderedMail {
    const compiled = this.mail.get(template);
    if (!compiled) throw new Error(`unknown mail template ${template}`);
    return { subject: MAIL_SUBJECTS[template], html: compiled.html(props), text: compiled.text(props) };
  }

  /** A mail as composed: its props are its template's by type, so nothing is looked up by name here. */
  renderMail(envelope: MailEnvelope): RenderedMail {
    return this.render(envelope.template, envelope.props);
  }

  renderText(envelope: SmsEnvelope): string {
    return this.renderSms(envelope.template, envelope.props);
  }

  renderSms<T extends SmsTemplate>(template: T, props: SmsTemplateProps[T]): string {
    const compiled = this.sms.get(template);
    if (!compiled) throw new Error(`unknown text-message template ${template}`);
    return compiled(props).trim();
  }
}
