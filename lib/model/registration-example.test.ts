import { describe, expect, it } from 'vitest';
import { exampleRegistrationKey, exampleRegistrationPut } from './registration-example';

describe('exampleRegistrationKey', () => {
  it('puts the example under the first watched prefix, with or without its trailing slash', () => {
    expect(exampleRegistrationKey(['/e2e-nothing/', '/other/'], 'users', 'u-1')).toBe('/e2e-nothing/users/u-1');
    expect(exampleRegistrationKey(['/microservices/prod'], 'users', 'u-1')).toBe('/microservices/prod/users/u-1');
  });

  it('uses /services/ when the server watches every key', () => {
    expect(exampleRegistrationKey([], 'users', 'u-1')).toBe('/services/users/u-1');
  });
});

describe('exampleRegistrationPut', () => {
  it('names the etcd the server reads, which need not be on etcdctl’s default 127.0.0.1:2379', () => {
    expect(exampleRegistrationPut(['http://127.0.0.1:40769'], [], 'users', 'u-1')).toBe('etcdctl --endpoints=http://127.0.0.1:40769 put /services/users/u-1');
  });

  it('names every endpoint of a cluster, comma-separated as etcdctl takes them, and puts under the first watched prefix', () => {
    expect(exampleRegistrationPut(['http://etcd-1:2379', 'http://etcd-2:2379'], ['/prod/'], 'users', 'u-1')).toBe(
      'etcdctl --endpoints=http://etcd-1:2379,http://etcd-2:2379 put /prod/users/u-1',
    );
  });

  it('never shows an endpoint\'s user:password@ (every signed-in user sees the example; credentials go in etcdctl --user)', () => {
    expect(exampleRegistrationPut(['https://root:s3cret@etcd-1:2379', 'https://user@etcd-2:2379', 'http://etcd-3:2379'], [], 'users', 'u-1')).toBe(
      'etcdctl --endpoints=https://etcd-1:2379,https://etcd-2:2379,http://etcd-3:2379 put /services/users/u-1',
    );
  });
});
