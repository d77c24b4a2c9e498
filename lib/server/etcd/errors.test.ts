import { describe, expect, it } from 'vitest';
import { EtcdPermissionDeniedError, GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { describeEtcdError, isEtcdFailure } from './errors';

// Messages as etcd3 1.1.2 / grpc-js report them against a real etcd 3.4 (tests/integration/etcd-security.test.ts).
const BAD_CLIENT_CERT =
  '14 UNAVAILABLE: No connection established. Last error: 806CE674097F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n (2026-11-21T09:03:32.214Z). Resolution note: ';

describe('describeEtcdError', () => {
  it('names the credentials on a wrong password', () => {
    const message = describeEtcdError(new Error('3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password'));
    expect(message).toMatch(/^etcd authentication failed: check ETCD_USERNAME and ETCD_PASSWORD \(/);
    expect(message).toContain('invalid user ID or password');
  });

  it('names the CA file when etcd is not trusted', () => {
    const message = describeEtcdError(new Error('14 UNAVAILABLE: No connection established. Last error: Error: unable to verify the first certificate. Resolution note: '));
    expect(message).toBe("etcd's TLS certificate is not trusted: ETCD_CA_FILE must hold the CA that signed it (14 UNAVAILABLE: No connection established. Last error: Error: unable to verify the first certificate.)");
  });

  it('names the client certificate when etcd refuses it, without OpenSSL source paths or timestamps', () => {
    const message = describeEtcdError(new Error(BAD_CLIENT_CERT));
    expect(message).toMatch(/^etcd refused our TLS client certificate: ETCD_CERT_FILE and ETCD_KEY_FILE/);
    expect(message).not.toMatch(/deps\/openssl|2026-|Resolution note|\n/);
  });

  it('explains permission denied in terms of prefixes', () => {
    expect(describeEtcdError(new Error('7 PERMISSION_DENIED: etcdserver: permission denied'))).toMatch(/read on every watched prefix .* readwrite on the control prefix/);
  });

  it('passes other causes through unchanged', () => {
    expect(describeEtcdError(new Error('etcd connection lost: socket hang up'))).toBe('etcd connection lost: socket hang up');
    expect(describeEtcdError('watch ended')).toBe('watch ended');
  });
});

describe('isEtcdFailure', () => {
  it('recognises etcd being down, slow or refusing us', () => {
    expect(isEtcdFailure(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'))).toBe(true);
    expect(isEtcdFailure(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded'))).toBe(true);
    expect(isEtcdFailure(new EtcdPermissionDeniedError('etcdserver: permission denied'))).toBe(true);
  });

  it('leaves our own bugs to be reported as such', () => {
    expect(isEtcdFailure(new TypeError("Cannot read properties of undefined (reading 'kvs')"))).toBe(false);
    expect(isEtcdFailure('14 UNAVAILABLE')).toBe(false);
  });
});
