import { describe, expect, it } from 'vitest';
import { AckRequestSchema } from './acks';
import { SilenceRequestSchema } from './silences';

describe('silence and acknowledgement requests', () => {
  it('refuse a reason holding NUL, which the database cannot store, and take other text', () => {
    const silence = { service: 'pay', reason: 'deploy', durationSeconds: 600 };
    expect(SilenceRequestSchema.safeParse(silence).success).toBe(true);
    expect(SilenceRequestSchema.safeParse({ ...silence, reason: 'de\u0000ploy' }).success).toBe(false);
    const ack = { alertname: 'ServiceCritical', service: 'pay', reason: 'on it: ✓ "tab\there"' };
    expect(AckRequestSchema.safeParse(ack).success).toBe(true);
    expect(AckRequestSchema.safeParse({ ...ack, reason: 'on\u0000it' }).success).toBe(false);
  });
});
