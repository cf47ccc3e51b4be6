import { User } from '@lmp/database';

/** What the API shows of a user: never the hash, counters or lock state. */
export interface UserView {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: string;
  userType: string;
  emailVerified: boolean;
  partnerId: string | null;
  customerId: string | null;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    userType: user.userType,
    emailVerified: user.emailVerifiedAt !== null,
    partnerId: user.partnerId,
    customerId: user.customerId,
  };
}
