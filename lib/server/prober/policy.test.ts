import { describe, expect, it } from 'vitest';
import { createProbePolicy } from './policy';

const base = { denyCidrs: ['169.254.0.0/16', 'fd00:ec2::254/128'], etcdEndpoints: [] };

describe('probe policy', () => {
  it('denies cloud metadata and link-local addresses, naming the rule, in any spelling', () => {
    const policy = createProbePolicy(base);
    expect(policy.denial('169.254.169.254', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('::ffff:169.254.169.254', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('::ffff:a9fe:a9fe', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('fd00:ec2:0:0:0:0:0:254', 80)).toBe('fd00:ec2::254/128');
    expect(policy.denial('10.0.0.1', 80)).toBeUndefined();
    expect(policy.denial('::1', 80)).toBeUndefined();
  });

  it('probes only allowed CIDRs when an allow list is set (the deny list still applies)', () => {
    const policy = createProbePolicy({ ...base, allowCidrs: ['10.0.0.0/8', '169.254.0.0/16', 'fd00::/8'] });
    expect(policy.denial('10.1.2.3', 80)).toBeUndefined();
    expect(policy.denial('fd00::1', 80)).toBeUndefined();
    expect(policy.denial('192.168.1.1', 80)).toBe('not in SWITCHYARD_PROBE_ALLOW_CIDRS');
    expect(policy.denial('169.254.1.1', 80)).toBe('169.254.0.0/16');
  });

  it("denies etcd's own endpoints; a loopback etcd also on every local address of its port", () => {
    const policy = createProbePolicy({ ...base, etcdEndpoints: ['http://127.0.0.1:2379', '10.0.0.9:12379', 'https://etcd.example:2379', 'http://[fd00::9]'] });
    for (const ip of ['127.0.0.1', '127.1.2.3', '0.0.0.0', '::1', '::', '::ffff:127.0.0.1']) expect(policy.denial(ip, 2379)).toBe('etcd endpoint 127.0.0.1:2379');
    expect(policy.denial('127.0.0.1', 2380)).toBeUndefined();
    expect(policy.denial('10.0.0.9', 12379)).toBe('etcd endpoint 10.0.0.9:12379');
    expect(policy.denial('10.0.0.9', 80)).toBeUndefined();
    expect(policy.denial('fd00::9', 2379)).toBe('etcd endpoint [fd00::9]:2379');
    expect(policy.hostDenial('ETCD.example', 2379)).toBe('etcd endpoint etcd.example:2379');
    expect(policy.hostDenial('etcd.example', 80)).toBeUndefined();
  });

  it('checks every address a name resolves to before anything connects', async () => {
    const policy = createProbePolicy({ ...base, etcdEndpoints: ['http://127.0.0.1:2379'] });
    await expect(policy.resolve('localhost', 2379)).rejects.toThrow('address denied by probe policy (etcd endpoint 127.0.0.1:2379)');
    await expect(policy.resolve('localhost', 80)).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
    await expect(policy.resolve('169.254.169.254', 80)).rejects.toMatchObject({ code: 'EPROBEDENIED' });
    const denied = await new Promise<unknown>((resolve) => policy.lookupFor(2379)('localhost', { all: true }, (error) => resolve(error)));
    expect(denied).toMatchObject({ message: 'address denied by probe policy (etcd endpoint 127.0.0.1:2379)' });
    const allowed = await new Promise<unknown>((resolve) => policy.lookupFor(80)('localhost', {}, (_error, address) => resolve(address)));
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('stops the start on a malformed CIDR, naming the setting', () => {
    expect(() => createProbePolicy({ ...base, denyCidrs: ['10.0.0.0/33'] })).toThrow('SWITCHYARD_PROBE_DENY_CIDRS: "10.0.0.0/33" is not an IP address or CIDR');
    expect(() => createProbePolicy({ ...base, allowCidrs: ['nope'] })).toThrow(/SWITCHYARD_PROBE_ALLOW_CIDRS/);
  });
});
