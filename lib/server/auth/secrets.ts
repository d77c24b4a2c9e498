import { hash, randomBytes } from 'node:crypto';

/** Session ids and API tokens are 256-bit random strings; only their SHA-256 is stored. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** High-entropy secrets need no slow hash: SHA-256 cannot be brute-forced at 256 bits. */
export function digest(secret: string): string {
  // The one-shot form: no Hash object per request (every export and call report is authenticated).
  return hash('sha256', secret, 'hex');
}

export const TOKEN_PREFIX = 'syd_';
