/**
 * Per-IP limits of the self-service requests that send mail or spend links. Counters live in
 * the shared rate-limit store (Redis, or the database), so every console instance sees them.
 */
const MIN = 60_000;
export const THROTTLE = {
  signup: { default: { limit: 10, ttl: 60 * MIN } },
  forgotPassword: { default: { limit: 5, ttl: 15 * MIN } },
  resendVerification: { default: { limit: 3, ttl: 15 * MIN } },
  verifyEmail: { default: { limit: 20, ttl: 15 * MIN } },
  /**
   * The second step of sign-in, per IP: a bound on requests, not the guard against guessing
   * (a pending sign-in ends after 5 wrong codes and wrong codes lock the account), so an office
   * behind one address is not held up.
   */
  mfa: { default: { limit: 120, ttl: 15 * MIN } },
};
