import { PageRenderer } from './page-renderer';

describe(PageRenderer.name, () => {
  const sut = new PageRenderer();

  it('renders views from sub-directories by their path, inside the layout', () => {
    const html = sut.html('partner/accounts/reset-confirm', {
      title: 'Reset',
      account: { name: 'Kim Lee', email: 'kim@example.com' },
      customer: { companyName: 'Contoso', href: '/partner/customers/c1' },
      canReset: true,
      expiresInMinutes: 60,
      action: '/partner/customers/c1/accounts/a1/reset-password',
      cancelHref: '/partner/customers/c1/accounts/a1',
      csrf: 'tok',
    });

    expect(html).toContain('<title>Reset · LMP</title>');
    expect(html).toContain('The link expires in 60 minutes.');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok">');
  });

  it('uses the partials under views/partials', () => {
    const html = sut.html('partner/licenses/license-form', {
      title: 'Add',
      customer: { companyName: 'Contoso', href: '/c' },
      values: { seats: '0' },
      errors: { seats: 'Enter a whole number of seats, at least 1.' },
      errorList: [{ field: 'seats', message: 'Enter a whole number of seats, at least 1.' }],
      statuses: [],
    });

    expect(html).toContain('<p id="seats-error" class="field-error">Enter a whole number of seats, at least 1.</p>');
    expect(html).toContain('One field needs your attention');
  });

  it('does not offer partials as pages', () => {
    expect(() => sut.html('partials/field', { title: 'x' })).toThrow('no view partials/field');
  });

  it('shows the console shell only for signed-in staff, with the current page marked', () => {
    const shell = { name: 'Dana Admin', role: 'Partner admin', partnerName: 'Demo', audit: true };
    const staff = sut.html('partner/audit/audit', { title: 'Audit', shell, csrf: 't', items: [], actions: [] });
    const anonymous = sut.html('web/error', { title: 'Not Found', detail: 'No such page.' });

    expect(staff).toContain('<a href="/partner/audit" aria-current="page">Audit</a>');
    expect(staff).toContain('<a href="/partner/customers">Customers</a>');
    expect(anonymous).not.toContain('class="mainnav"');
    expect(anonymous).toContain('Skip to content');
  });
});
