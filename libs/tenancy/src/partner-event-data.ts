import { Customer, License, User } from '@lmp/database';

/**
 * What a webhook event says about the thing that changed: ids and the fields a partner's own
 * systems keep, never a password, a token or a link.
 */
export function customerEventData(c: Pick<Customer, 'id' | 'companyName' | 'country' | 'status'>) {
  return { customerId: c.id, companyName: c.companyName, country: c.country, status: c.status };
}

export function accountEventData(
  u: Pick<User, 'id' | 'customerId' | 'email' | 'firstName' | 'lastName' | 'role' | 'status'>,
) {
  return {
    accountId: u.id,
    customerId: u.customerId,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    status: u.status,
  };
}

export function licenseEventData(
  l: Pick<License, 'id' | 'customerId' | 'product' | 'seats' | 'startsAt' | 'expiresAt' | 'status'>,
) {
  return {
    licenseId: l.id,
    customerId: l.customerId,
    product: l.product,
    seats: l.seats,
    startsAt: l.startsAt instanceof Date ? l.startsAt.toISOString() : l.startsAt,
    expiresAt: l.expiresAt instanceof Date ? l.expiresAt.toISOString() : l.expiresAt,
    status: l.status,
  };
}
