import { randomUUID } from 'node:crypto';

/**
 * `base` with a suffix of its own: a name, id or reason one test attempt uses, so that a retry on
 * the same server meets nothing the failed first attempt left (its instances, drains, streams, users).
 */
export const perAttempt = (base: string): string => `${base}-${randomUUID().slice(0, 8)}`;
