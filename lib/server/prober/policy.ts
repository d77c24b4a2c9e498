import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { deniedError } from './causes';
import { parseHostPort } from './target';

export interface ProbePolicyOptions {
  /** When non-empty, only these CIDRs are probed (SWITCHYARD_PROBE_ALLOW_CIDRS). */
  allowCidrs?: readonly string[];
  /** Never probed (SWITCHYARD_PROBE_DENY_CIDRS): cloud metadata, link-local… */
  denyCidrs: readonly string[];
  /** etcd's own endpoints (`http://h:p` or `h:p`): a registration must not make us talk to etcd. */
  etcdEndpoints: readonly string[];
}

export interface ProbePolicy {
  /** Why `ip:port` may not be probed (as shown in the cause), or undefined when it may. */
  denial(ip: string, port: number): string | undefined;
  /** Same for a host name as written in the registration, before it is resolved. */
  hostDenial(host: string, port: number): string | undefined;
  /** A `lookup` for http/net that resolves once and keeps only addresses the policy allows. */
  lookupFor(port: number): net.LookupFunction;
  /** Resolves `host` (once) to one allowed IP; rejects with the denial or the DNS error. */
  resolve(host: string, port: number): Promise<string>;
  /** Adds the addresses of etcd endpoints given by name; call once at start. */
  resolveEtcdHosts(): Promise<void>;
}

interface Rule {
  label: string;
  list: net.BlockList;
}

const ETCD_DEFAULT_PORT = 2379;
const MAX_DECISIONS = 100_000;

function familyOf(ip: string): 'ipv4' | 'ipv6' {
  return net.isIPv6(ip) ? 'ipv6' : 'ipv4';
}

/** A BlockList from CIDRs or single addresses; a bad entry stops the start with its setting named. */
function blockListOf(cidrs: readonly string[], setting: string): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [ip = '', prefix, extra] = cidr.split('/');
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = net.isIPv6(ip) ? 128 : 32;
    if (!net.isIP(ip) || extra !== undefined || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= max))) {
      throw new Error(`${setting}: "${cidr}" is not an IP address or CIDR`);
    }
    if (bits === undefined) list.addAddress(ip, familyOf(ip));
    else list.addSubnet(ip, bits, familyOf(ip));
  }
  return list;
}

const isLoopbackOrAny = (host: string): boolean =>
  host === 'localhost' || host === '0.0.0.0' || host === '::' || host === '::1' || /^127\./.test(host);

/** Addresses that reach a port opened on loopback or on all interfaces of this machine. */
function localAddresses(): string[] {
  const interfaces = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return ['0.0.0.0', '::', '::1', ...interfaces.map((entry) => entry.address.split('%')[0] ?? '')].filter((ip) => net.isIP(ip));
}

export function createProbePolicy(options: ProbePolicyOptions): ProbePolicy {
  const deny: Rule[] = options.denyCidrs.map((cidr) => ({ label: cidr, list: blockListOf([cidr], 'SWITCHYARD_PROBE_DENY_CIDRS') }));
  const allow = options.allowCidrs && options.allowCidrs.length > 0 ? blockListOf(options.allowCidrs, 'SWITCHYARD_PROBE_ALLOW_CIDRS') : undefined;
  /** One rule per etcd endpoint: the addresses (and names) that reach etcd on its port. */
  const etcdRules: (Rule & { port: number; hostNames: Set<string> })[] = [];
  const unresolved: { host: string; port: number; label: string }[] = [];

  const etcdRule = (port: number, label: string) => {
    let rule = etcdRules.find((candidate) => candidate.label === label);
    if (!rule) etcdRules.push((rule = { port, label, list: new net.BlockList(), hostNames: new Set() }));
    return rule;
  };
  const addEtcdAddress = (ip: string, port: number, label: string): void => {
    const rule = etcdRule(port, label);
    if (isLoopbackOrAny(ip)) {
      rule.list.addSubnet('127.0.0.0', 8, 'ipv4');
      for (const local of localAddresses()) rule.list.addAddress(local, familyOf(local));
    } else rule.list.addAddress(ip, familyOf(ip));
  };
  for (const endpoint of options.etcdEndpoints) {
    const authority = endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/s, '');
    const parsed = parseHostPort(authority) ?? parseHostPort(`${authority}:${ETCD_DEFAULT_PORT}`);
    if (!parsed) continue;
    const label = `etcd endpoint ${parsed.address}`;
    if (net.isIP(parsed.host)) addEtcdAddress(parsed.host, parsed.port, label);
    else {
      etcdRule(parsed.port, label).hostNames.add(parsed.host.toLowerCase());
      if (parsed.host.toLowerCase() === 'localhost') addEtcdAddress('127.0.0.1', parsed.port, label);
      else unresolved.push({ host: parsed.host, port: parsed.port, label });
    }
  }

  // BlockList.check allocates a SocketAddress per call; the same few thousand targets come back every interval.
  const decisions = new Map<string, string | null>();

  const decide = (ip: string, port: number): string | undefined => {
    const bare = ip.split('%')[0] ?? ip;
    const family = familyOf(bare);
    for (const rule of deny) if (rule.list.check(bare, family)) return rule.label;
    for (const rule of etcdRules) if (rule.port === port && rule.list.check(bare, family)) return rule.label;
    if (allow && !allow.check(bare, family)) return 'not in SWITCHYARD_PROBE_ALLOW_CIDRS';
    return undefined;
  };
  const denial = (ip: string, port: number): string | undefined => {
    const key = `${ip} ${port}`;
    const known = decisions.get(key);
    if (known !== undefined) return known ?? undefined;
    const decided = decide(ip, port);
    if (decisions.size >= MAX_DECISIONS) decisions.clear();
    decisions.set(key, decided ?? null);
    return decided;
  };

  /** Resolves every address of `host` and keeps the allowed ones, so a rebinding answer is checked too. */
  const allowedAddresses = (host: string, port: number, family: number | undefined, done: (error: NodeJS.ErrnoException | null, allowed: dns.LookupAddress[]) => void): void => {
    dns.lookup(host, { all: true, ...(family ? { family } : {}) }, (error, addresses) => {
      if (error) return done(error, []);
      const allowed = addresses.filter((entry) => denial(entry.address, port) === undefined);
      const first = addresses[0];
      if (allowed.length === 0) return done(deniedError(first ? (denial(first.address, port) ?? 'no address') : 'no address'), []);
      done(null, allowed);
    });
  };

  return {
    denial,
    hostDenial(host, port) {
      if (net.isIP(host)) return denial(host, port);
      return etcdRules.find((rule) => rule.port === port && rule.hostNames.has(host.toLowerCase()))?.label;
    },
    lookupFor(port) {
      return (hostname, lookupOptions, callback) =>
        allowedAddresses(hostname, port, lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined, (error, allowed) => {
          const first = allowed[0];
          if (error || !first) callback(error ?? deniedError('no address'), '');
          else if (lookupOptions.all) callback(null, allowed);
          else callback(null, first.address, first.family);
        });
    },
    resolve(host, port) {
      if (net.isIP(host)) {
        const reason = denial(host, port);
        return reason ? Promise.reject(deniedError(reason)) : Promise.resolve(host);
      }
      return new Promise((resolve, reject) =>
        allowedAddresses(host, port, undefined, (error, allowed) => (error || !allowed[0] ? reject(error ?? deniedError('no address')) : resolve(allowed[0].address))),
      );
    },
    async resolveEtcdHosts() {
      await Promise.all(
        unresolved.map(async ({ host, port, label }) => {
          const addresses = await dns.promises.lookup(host, { all: true }).catch(() => []);
          for (const entry of addresses) addEtcdAddress(entry.address, port, label);
        }),
      );
      decisions.clear();
    },
  };
}
