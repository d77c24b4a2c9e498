import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { deniedError } from './causes';
import { addressForms } from './embedded-ipv4';
import { parseHostPort, type HostPort } from './target';

export interface ProbePolicyOptions {
  /** When non-empty, only these CIDRs are probed (SWITCHYARD_PROBE_ALLOW_CIDRS). */
  allowCidrs?: readonly string[];
  /** Never probed (SWITCHYARD_PROBE_DENY_CIDRS): cloud metadata, link-local… */
  denyCidrs: readonly string[];
  /** etcd's own endpoints (`http://h:p` or `h:p`): a registration must not make us talk to etcd. */
  etcdEndpoints: readonly string[];
}

/** One etcd cluster member as its member list names it. */
export interface EtcdMember {
  name: string;
  clientUrls: readonly string[];
  peerUrls: readonly string[];
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
  /** Replaces the denied client and peer URLs of etcd's members (from its member list), resolving names. */
  setEtcdMembers(members: readonly EtcdMember[]): Promise<void>;
  /** Denies the dashboard's own listener: that port on every local address when bound to loopback or all interfaces. */
  denyListener(address: string, port: number): void;
}

interface Rule {
  label: string;
  list: net.BlockList;
}

/** A host:port that must never be probed (etcd, ourselves): its addresses on one port, and its names. */
interface PortRule extends Rule {
  port: number;
  hostNames: Set<string>;
}

const ETCD_DEFAULT_PORT = 2379;
const MAX_DECISIONS = 100_000;
const MAX_MEMBER_URLS = 256;

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
  host === 'localhost' || addressForms(host).some((form) => form === '0.0.0.0' || form === '::' || form === '::1' || /^127\./.test(form));

/** Addresses that reach a port opened on loopback or on all interfaces of this machine. */
function localAddresses(): string[] {
  const interfaces = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return ['0.0.0.0', '::', '::1', ...interfaces.map((entry) => entry.address.split('%')[0] ?? '')].filter((ip) => net.isIP(ip));
}

/** Adds `ip` to a rule; a loopback or wildcard address stands for the port on every local address. */
function addAddress(rule: PortRule, ip: string): void {
  if (isLoopbackOrAny(ip)) {
    rule.list.addSubnet('127.0.0.0', 8, 'ipv4');
    for (const local of localAddresses()) rule.list.addAddress(local, familyOf(local));
  } else for (const form of addressForms(ip)) rule.list.addAddress(form, familyOf(form));
}

/** `http://h:p/…`, `h:p` or `h` (etcd's default port) as host and port; undefined when unreadable. */
function endpointHostPort(endpoint: string): HostPort | undefined {
  const authority = endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/s, '');
  return parseHostPort(authority) ?? parseHostPort(`${authority}:${ETCD_DEFAULT_PORT}`);
}

/** Rules for endpoints, and the names among them still to resolve (`localhost` needs no DNS). */
function portRulesOf(endpoints: readonly { url: string; label: (address: string) => string }[]): { rules: PortRule[]; names: { rule: PortRule; host: string }[] } {
  const rules: PortRule[] = [];
  const names: { rule: PortRule; host: string }[] = [];
  for (const endpoint of endpoints) {
    const parsed = endpointHostPort(endpoint.url);
    if (!parsed) continue;
    const rule: PortRule = { label: endpoint.label(parsed.address), port: parsed.port, list: new net.BlockList(), hostNames: new Set() };
    rules.push(rule);
    if (net.isIP(parsed.host)) addAddress(rule, parsed.host);
    else {
      rule.hostNames.add(parsed.host.toLowerCase());
      if (parsed.host.toLowerCase() === 'localhost') addAddress(rule, '127.0.0.1');
      else names.push({ rule, host: parsed.host });
    }
  }
  return { rules, names };
}

async function resolveNames(names: readonly { rule: PortRule; host: string }[]): Promise<void> {
  await Promise.all(
    names.map(async ({ rule, host }) => {
      const addresses = await dns.promises.lookup(host, { all: true }).catch(() => []);
      for (const entry of addresses) addAddress(rule, entry.address);
    }),
  );
}

/**
 * Decides which addresses the prober may dial. Every address is checked in each form it takes on
 * the wire (an IPv6 address and each IPv4 address it embeds: mapped, compatible, NAT64, 6to4,
 * Teredo), after DNS, against: the deny CIDRs; etcd's configured endpoints and every member's client
 * and peer URLs; the dashboard's own listener; and, when set, the allow CIDRs.
 */
export function createProbePolicy(options: ProbePolicyOptions): ProbePolicy {
  const deny: Rule[] = options.denyCidrs.map((cidr) => ({ label: cidr, list: blockListOf([cidr], 'SWITCHYARD_PROBE_DENY_CIDRS') }));
  const allow = options.allowCidrs && options.allowCidrs.length > 0 ? blockListOf(options.allowCidrs, 'SWITCHYARD_PROBE_ALLOW_CIDRS') : undefined;
  const configured = portRulesOf(options.etcdEndpoints.map((url) => ({ url, label: (address: string) => `etcd endpoint ${address}` })));
  let members: PortRule[] = [];
  let listener: PortRule[] = [];
  const portRules = (): PortRule[] => [...configured.rules, ...members, ...listener];

  // BlockList.check allocates a SocketAddress per call; the same few thousand targets come back every interval.
  const decisions = new Map<string, string | null>();

  const decide = (ip: string, port: number): string | undefined => {
    const forms = addressForms(ip).map((form) => ({ form, family: familyOf(form) }));
    for (const rule of deny) if (forms.some(({ form, family }) => rule.list.check(form, family))) return rule.label;
    for (const rule of portRules()) if (rule.port === port && forms.some(({ form, family }) => rule.list.check(form, family))) return rule.label;
    if (allow && !forms.some(({ form, family }) => allow.check(form, family))) return 'not in SWITCHYARD_PROBE_ALLOW_CIDRS';
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
      return portRules().find((rule) => rule.port === port && rule.hostNames.has(host.toLowerCase()))?.label;
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
      await resolveNames(configured.names);
      decisions.clear();
    },
    async setEtcdMembers(list) {
      const urls = list.flatMap((member) => [
        ...member.clientUrls.map((url) => ({ url, label: (address: string) => `etcd member ${member.name || '(unnamed)'} client URL ${address}` })),
        ...member.peerUrls.map((url) => ({ url, label: (address: string) => `etcd member ${member.name || '(unnamed)'} peer URL ${address}` })),
      ]);
      const next = portRulesOf(urls.slice(0, MAX_MEMBER_URLS));
      await resolveNames(next.names);
      members = next.rules;
      decisions.clear();
    },
    denyListener(address, port) {
      const rule: PortRule = { label: `this dashboard's listener ${net.isIPv6(address) ? `[${address}]` : address}:${port}`, port, list: new net.BlockList(), hostNames: new Set(isLoopbackOrAny(address) ? ['localhost'] : []) };
      addAddress(rule, address);
      listener = [rule];
      decisions.clear();
    },
  };
}
