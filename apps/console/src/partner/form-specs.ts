import { FormSpec } from '../web/forms';

/** The console's forms: their fields, and what each says when the value is refused. */

export const CUSTOMER_FORM: FormSpec = {
  fields: {
    companyName: 'Enter the company name (up to 200 characters).',
    country: 'Enter a two-letter country code, such as GB or DE.',
  },
};

export const CUSTOMER_EDIT_FORM: FormSpec = {
  fields: { ...CUSTOMER_FORM.fields, status: 'Choose Active or Suspended.' },
};

export const ACCOUNT_FORM: FormSpec = {
  fields: {
    email: 'Enter an email address, such as name@example.com.',
    firstName: 'Enter a first name (up to 100 characters).',
    lastName: 'Enter a last name (up to 100 characters).',
    role: 'Choose Full Access or Read Only.',
  },
  rules: { email: 'This email address already has an account.' },
};

export const ACCOUNT_EDIT_FORM: FormSpec = {
  fields: {
    firstName: ACCOUNT_FORM.fields.firstName,
    lastName: ACCOUNT_FORM.fields.lastName,
    role: ACCOUNT_FORM.fields.role,
    status: 'Choose Enabled or Disabled.',
  },
};

export const LICENSE_FORM: FormSpec = {
  fields: {
    product: 'Enter the product name (up to 120 characters).',
    seats: 'Enter a whole number of seats, at least 1.',
    startsAt: 'Enter the start date.',
    expiresAt: 'Enter the expiry date.',
  },
  numbers: ['seats'],
  dates: ['startsAt', 'expiresAt'],
  rules: { expiresAt: 'The expiry date must be after the start date.' },
};

export const LICENSE_EDIT_FORM: FormSpec = {
  ...LICENSE_FORM,
  fields: { ...LICENSE_FORM.fields, status: 'Choose Active or Suspended.' },
};
