import { describe, expect, it } from 'vitest';
import { parseTarget } from './target';

describe('parseTarget', () => {
  it('splits at the last slash', () => {
    expect(parseTarget('payments/payments-2')).toEqual({ service: 'payments', id: 'payments-2' });
    expect(parseTarget('/grpc/target/10.0.0.1:80')).toEqual({ service: '/grpc/target', id: '10.0.0.1:80' });
  });
  it.each(['payments', '/id', 'svc/'])('rejects %j', (text) => expect(parseTarget(text)).toBeNull());
});
