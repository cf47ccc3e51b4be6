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
};
