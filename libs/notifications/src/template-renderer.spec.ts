import { join } from 'node:path';
import { MailTemplate } from './jobs';
import { MAIL_SUBJECTS, MailTemplateProps } from './mail-templates';
import { TemplateRenderer, templatesDir } from './template-renderer';
import { MAIL_SAMPLES as SAMPLES, SAMPLE_LINK as LINK, SAMPLE_NOT_ME as NOT_ME } from './testing';

/** What a browser or mail client reads from an attribute value: character references decoded. */
function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
}

const templates = Object.values(MailTemplate);

describe(TemplateRenderer.name, () => {
  let sut: TemplateRenderer;

  beforeAll(() => {
    sut = new TemplateRenderer();
  });

  it('finds the templates beside the source, not through the working directory', () => {
    expect(templatesDir()).toBe(join(__dirname, 'templates'));
  });

  describe.each(templates)('template %s', (template) => {
    it('renders a subject, HTML and plain text', () => {
      const mail = sut.render(template, SAMPLES[template]);

      expect(mail.subject).toBe(MAIL_SUBJECTS[template]);
      expect(mail.subject.trim()).not.toBe('');
      expect(mail.html.trim()).not.toBe('');
      expect(mail.text.trim()).not.toBe('');
    });

    it('greets the recipient by name in both parts', () => {
      const mail = sut.render(template, SAMPLES[template]);

      expect(mail.html).toContain('Hello Ada,');
      expect(mail.text).toContain('Hello Ada,');
    });

    it('wraps the HTML in the layout and keeps markup out of the text part', () => {
      const mail = sut.render(template, SAMPLES[template]);

      expect(mail.html).toMatch(/^<!doctype html>/);
      expect(mail.html).toContain('This message was sent by LMP.');
      expect(mail.text).not.toMatch(/<\/?[a-z][^>]*>/i);
    });

    it('throws instead of rendering blank when a prop is missing (strict mode)', () => {
      const props: Record<string, unknown> = { ...SAMPLES[template] };
      delete props.firstName;

      expect(() => sut.render(template, props as unknown as MailTemplateProps[typeof template])).toThrow(/firstName/);
    });
  });

  it.each([
    [MailTemplate.Invitation, LINK],
    [MailTemplate.PasswordReset, LINK],
    [MailTemplate.PasswordChanged, 'https://lmp.example.com/login'],
    [MailTemplate.MfaDisabled, 'https://lmp.example.com/forgot-password'],
    [MailTemplate.RecoveryCodesLow, 'https://lmp.example.com/account/security'],
    [MailTemplate.WebhookDisabled, 'https://lmp.example.com/partner/settings/webhooks'],
  ] as const)('%s carries its link intact in the href and in the text part', (template, link) => {
    const mail = sut.render(template, SAMPLES[template]);

    expect(hrefs(mail.html)).toContain(link);
    expect(mail.text).toContain(link);
  });

  it.each([
    [MailTemplate.PasswordChanged, NOT_ME],
    [MailTemplate.EmailChangeRequested, NOT_ME],
    [MailTemplate.EmailChangeVerify, LINK],
    [MailTemplate.AccountRecovery, LINK],
  ] as const)('%s carries its security link in both parts', (template, link) => {
    const mail = sut.render(template, SAMPLES[template]);

    expect(hrefs(mail.html)).toContain(link);
    expect(mail.text).toContain(link);
  });

  it('leaves the "this wasn\'t me" link out of a password notice after an emailed reset', () => {
    const mail = sut.render(MailTemplate.PasswordChanged, {
      ...SAMPLES[MailTemplate.PasswordChanged],
      notMeLink: null,
    });

    expect(mail.text).not.toContain(NOT_ME);
    expect(mail.text).toContain('reset your password at once');
  });

  it('throws when the link prop is missing', () => {
    const { link: _link, ...props } = SAMPLES[MailTemplate.Invitation];

    expect(() =>
      sut.render(MailTemplate.Invitation, props as unknown as MailTemplateProps[typeof MailTemplate.Invitation]),
    ).toThrow(/link/);
  });

  it('escapes HTML in a name while the link stays intact', () => {
    const mail = sut.render(MailTemplate.Invitation, {
      ...SAMPLES[MailTemplate.Invitation],
      firstName: '<script>alert(1)</script>',
      companyName: 'Smith & <b>Sons</b>',
    });

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>Sons</b>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('Smith &amp; &lt;b&gt;Sons&lt;/b&gt;');
    expect(hrefs(mail.html)).toEqual([LINK]);
    // The text part is not HTML: it shows the name as typed.
    expect(mail.text).toContain('Hello <script>alert(1)</script>,');
    expect(mail.text).toContain(LINK);
  });

  it('names the partner who asked for a reset, and says "someone" otherwise', () => {
    const byPartner = sut.render(MailTemplate.PasswordReset, SAMPLES[MailTemplate.PasswordReset]);
    const selfService = sut.render(MailTemplate.PasswordReset, {
      ...SAMPLES[MailTemplate.PasswordReset],
      partnerName: null,
    });

    expect(byPartner.text).toContain('Northwind Reseller asked for a password reset');
    expect(selfService.text).toContain('Someone asked to reset the password');
    expect(selfService.html).toContain('Someone asked to reset the password');
    expect(selfService.text).not.toContain('Northwind');
  });

  it('says how long the link lives', () => {
    expect(sut.render(MailTemplate.Invitation, SAMPLES[MailTemplate.Invitation]).text).toContain('expires in 72 hours');
    expect(sut.render(MailTemplate.PasswordReset, SAMPLES[MailTemplate.PasswordReset]).text).toContain(
      'expires in 60 minutes',
    );
  });

  it('refuses an unknown template name', () => {
    expect(() => sut.render('welcome' as MailTemplate, SAMPLES[MailTemplate.PasswordChanged] as never)).toThrow(
      /unknown mail template welcome/,
    );
  });
});
