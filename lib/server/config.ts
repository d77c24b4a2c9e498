import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AlertRulesSchema, DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import { printable } from '@/lib/model/printable';
import { checkOidcEnv, OidcEnvShape, oidcConfigFrom, type OidcConfig } from './auth/oidc-config';
import { ETCD_DEFAULT_CLIENT_PORT } from './etcd/local';

/** What SWITCHYARD_LOCAL_ETCD_PORT takes, said wherever a value is refused ('Invalid input' named neither). */
const LOCAL_ETCD_PORT_ERROR = 'must be a port 1–65535 in decimal digits, or "free"';

/**
 * The longest refused value quoted back: enough for a typo or a stray character ("3000\r"), too
 * short for a secret a .env line missing its newline ran into the value ("3000 DATABASE_URL=…").
 */
const QUOTED_MAX = 12;

/**
 * A refused value as the error gives it: JSON-escaped (a stray CR reads `\r`, as a Windows env file
 * leaves one), active characters shown not sent (printable), quoted whole when short; a longer one
 * only by its length and its first character that is not a digit, escaped, with its position.
 */
function received(value: unknown): string {
  const characters = [...(typeof value === 'string' ? value : String(value))];
  const quoted = (text: string): string => printable(JSON.stringify(text));
  if (characters.length <= QUOTED_MAX) return `got ${quoted(characters.join(''))}`;
  const at = characters.findIndex((character) => !/^\d$/.test(character));
  const stray = characters[at];
  return stray === undefined ? `got ${characters.length} digits` : `got ${characters.length} characters; character ${at + 1}, ${quoted(stray)}, is not a digit`;
}

/**
 * A whole-number variable, written in decimal digits only (leading zeros allowed): z.coerce read
 * '0x95B' as 2395, '1e3' as 1000, ' 80 ' as 80 and '' as 0, so a typo or a hex value ran as
 * another setting. Every refusal says the range and the value received, so the issue names the
 * variable, what it takes and what it got.
 */
function wholeNumber(min: number, max: number, takes = `must be a whole number ${min}–${max} in decimal digits`) {
  return z.string().transform((value, context) => {
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (number >= min && number <= max) return number;
    context.addIssue({ code: 'custom', message: `${takes} (${received(value)})` });
    return z.NEVER;
  });
}

const commaList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part.length > 0));

/** A file the process must be able to read at start: the issue names the variable, the path and why. */
const readableFile = z
  .string()
  .min(1)
  .superRefine((file, context) => {
    try {
      accessSync(file, constants.R_OK);
      if (!statSync(file).isFile()) context.addIssue({ code: 'custom', message: `${file} is not a file` });
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      context.addIssue({ code: 'custom', message: `cannot read ${file} (${reason})` });
    }
  })
  .optional();

const ThresholdsSchema = z
  .object({
    passAfter: z.number().int().min(1).max(100),
    failAfter: z.number().int().min(1).max(100),
    warnLatencyMs: z.number().positive().max(600_000),
    /** Reported calls failing over 30 s: from this share `warning`… */
    errorWarnRate: z.number().min(0).max(1),
    /** …and from this share `critical`. */
    errorCriticalRate: z.number().min(0).max(1),
    /** Fewer calls in 30 s say nothing. */
    minCalls: z.number().int().min(1).max(1_000_000),
    /** p95 over this many times the service's 1 h median p95 → `warning`. */
    latencyFactor: z.number().min(1.1).max(1_000),
    /** …and at least this many ms over it… */
    latencyMinExcessMs: z.number().min(0).max(600_000),
    /** …over at least this many calls in 30 s. */
    latencyMinCalls: z.number().int().min(1).max(1_000_000),
  })
  .partial()
  .strict();
type Thresholds = z.infer<typeof ThresholdsSchema>;
/**
 * Per-service thresholds, as a Map keyed by service name: `z.record` drops a `__proto__` key and a
 * `{}` lookup by a service named `constructor` would find Object's own, so neither is used here.
 */
const HealthOverridesSchema = z
  .custom<object>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected an object keyed by service')
  .transform((raw, context) => {
    const overrides = new Map<string, Thresholds>();
    for (const [service, value] of Object.entries(raw)) {
      const parsed = ThresholdsSchema.safeParse(value);
      if (parsed.success) overrides.set(service, parsed.data);
      else for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: [service, ...issue.path] });
    }
    return overrides;
  });

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Alertmanagers (API v2), comma-separated: each gets every alert. */
const AlertmanagerUrls = commaList.pipe(z.array(httpUrl).min(1).max(10, 'at most 10 Alertmanagers'));

/** JSON: alert rules with per-service overrides (lib/model/alerts/rules.ts). */
const AlertRulesText = z
  .string()
  .optional()
  .transform((text, context) => {
    if (!text) return DEFAULT_ALERT_RULES;
    try {
      return AlertRulesSchema.parse(JSON.parse(text));
    } catch (error) {
      context.addIssue({ code: 'custom', message: `must be JSON like {"defaults":{"criticalForSeconds":60},"services":{"batch":{"disabled":["ServiceLatency"]}}}: ${error instanceof Error ? error.message : String(error)}` });
      return z.NEVER;
    }
  });

/** Environment contract (DESIGN §4). Validated once at start; a bad value stops the process with its name. */
export const ConfigSchema = z.object({
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ETCD_ENDPOINTS: commaList.optional(),
  ETCD_USERNAME: z.string().min(1).optional(),
  ETCD_PASSWORD: z.string().optional(),
  ETCD_CA_FILE: readableFile,
  ETCD_CERT_FILE: readableFile,
  ETCD_KEY_FILE: readableFile,
  /** Serve HTTPS with this certificate chain and key (PEM); both or neither. */
  TLS_CERT_FILE: readableFile,
  TLS_KEY_FILE: readableFile,
  SWITCHYARD_PREFIXES: commaList.optional(),
  SWITCHYARD_CONTROL_PREFIX: z
    .string()
    .regex(/^\/.*\/$/, 'must start and end with "/"')
    .default('/switchyard/'),
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * The client port of the local etcd started without ETCD_ENDPOINTS when the one of its last start is
   * unknown; `free`: any free port each start, not kept (test launchers: no two runs, nor a fleet
   * pointed at etcd's default port, share one).
   */
  SWITCHYARD_LOCAL_ETCD_PORT: z
    .union([z.literal('free'), wholeNumber(1, 65535, LOCAL_ETCD_PORT_ERROR)], { error: (issue) => `${LOCAL_ETCD_PORT_ERROR} (${received(issue.input)})` })
    .default(ETCD_DEFAULT_CLIENT_PORT),
  /** A shared PostgreSQL for history, users, sessions, tokens and audit; unset, they live in SQLite under DATA_DIR. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a PostgreSQL URL such as postgres://user:password@db.example.com:5432/switchyard' })
    .optional(),
  /** API requests (`/api/…`) handled at once per client (credential, else address) and in all, and how many may wait for a place (api-admission/). */
  SWITCHYARD_API_CLIENT_CONCURRENCY: wholeNumber(1, 10_000).default(16),
  SWITCHYARD_API_CLIENT_QUEUE: wholeNumber(0, 100_000).default(64),
  SWITCHYARD_API_CONCURRENCY: wholeNumber(1, 10_000).default(64),
  SWITCHYARD_API_QUEUE: wholeNumber(0, 100_000).default(1_024),
  SWITCHYARD_PROBE_INTERVAL_MS: wholeNumber(500, 600_000).default(5_000),
  SWITCHYARD_PROBE_TIMEOUT_MS: wholeNumber(50, 60_000).default(2_000),
  SWITCHYARD_PROBE_CONCURRENCY: wholeNumber(1, 5_000).default(256),
  /** Only these CIDRs are probed when set; the deny list always applies. */
  SWITCHYARD_PROBE_ALLOW_CIDRS: commaList.optional(),
  SWITCHYARD_PROBE_DENY_CIDRS: commaList.default(['169.254.0.0/16', 'fd00:ec2::254/128']),
  /** JSON: per-service health thresholds, e.g. {"search":{"warnLatencyMs":3000,"failAfter":5,"errorCriticalRate":0.5}}. */
  SWITCHYARD_HEALTH_OVERRIDES: z
    .string()
    .optional()
    .transform((text, context) => {
      if (!text) return new Map<string, Thresholds>();
      try {
        return HealthOverridesSchema.parse(JSON.parse(text));
      } catch (error) {
        context.addIssue({ code: 'custom', message: `must be JSON like {"svc":{"failAfter":5}}: ${error instanceof Error ? error.message : String(error)}` });
        return z.NEVER;
      }
    }),
  /** How long a lost instance (lease expired after its probes failed) stays listed as critical unless it returns or is dismissed. */
  SWITCHYARD_LOST_RETENTION_SECONDS: wholeNumber(1, 7 * 86_400).default(900),
  /** An instance whose lease ended while its probes passed is probed this long after and again as long after: still answering, it is lost (out of discovery). */
  SWITCHYARD_DEPARTED_CHECK_SECONDS: wholeNumber(1, 300).default(10),
  /** With DATABASE_URL, each replica's membership key lives on a lease of this TTL: a dead replica's share moves after it. */
  SWITCHYARD_REPLICA_TTL_SECONDS: wholeNumber(2, 60).default(10),
  /** Closed minute slots of the latency series are kept this many days in the store (the charts read the last day at start). */
  SWITCHYARD_SERIES_RETENTION_DAYS: wholeNumber(1, 90).default(7),
  /** A drained instance counts as `drained` once reported calls to it have been zero this long. */
  SWITCHYARD_DRAIN_QUIET_SECONDS: wholeNumber(1, 3_600).default(30),
  /** Minimum spacing between two `state:delta` broadcasts (ms); a change after a quiet spell is sent at once. */
  SWITCHYARD_COALESCE_MS: wholeNumber(0, 100).default(10),
  /** The first admin's password (first start only); without it one is generated and printed once. */
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  /**
   * Internal, not a setting: `npm run demo` sets it for its child server when the demo chose
   * SWITCHYARD_ADMIN_PASSWORD itself, so the first start line does not name a variable the
   * newcomer never set (the demo prints the password).
   */
  SWITCHYARD_INTERNAL_ADMIN_PASSWORD_CHOSEN_BY: z.enum(['demo']).optional(),
  /** The URL people open (behind a proxy): the only origin allowed to change state; https here makes cookies Secure. */
  SWITCHYARD_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://switchyard.example.com' })
    .transform((value) => new URL(value).origin)
    .optional(),
  /** A session ends after this long without a request… */
  SWITCHYARD_SESSION_IDLE_SECONDS: wholeNumber(1, 30 * 86_400).default(12 * 3_600),
  /** …and after this long in any case. */
  SWITCHYARD_SESSION_MAX_SECONDS: wholeNumber(1, 365 * 86_400).default(7 * 86_400),
  /** Alertmanager API v2 base URLs (comma-separated); every notified alert is sent to each (DESIGN §6). */
  SWITCHYARD_ALERTMANAGER_URL: AlertmanagerUrls.optional(),
  /** A generic webhook for fired and resolved alerts (JSON, or Slack's incoming-webhook body). */
  SWITCHYARD_ALERT_WEBHOOK_URL: httpUrl.optional(),
  /** Signs webhook bodies (HMAC-SHA256, X-Switchyard-Signature). */
  SWITCHYARD_ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').max(1_024).optional(),
  SWITCHYARD_ALERT_WEBHOOK_FORMAT: z.enum(['json', 'slack']).default('json'),
  SWITCHYARD_ALERT_RULES: AlertRulesText,
  /** How often alert conditions are evaluated. */
  SWITCHYARD_ALERT_EVALUATION_MS: wholeNumber(200, 60_000).default(5_000),
  /** Firing alerts go to Alertmanager again this often (well within its resolve_timeout, 5 min by default). */
  SWITCHYARD_ALERT_RESEND_SECONDS: wholeNumber(5, 3_600).default(60),
  /** One delivery attempt's time limit. */
  SWITCHYARD_ALERT_TIMEOUT_MS: wholeNumber(100, 60_000).default(5_000),
  /** Webhook notifications waiting at most; beyond it the oldest is dropped (and counted). */
  SWITCHYARD_ALERT_QUEUE_SIZE: wholeNumber(1, 100_000).default(1_000),
  ...OidcEnvShape,
}).superRefine(checkOidcEnv);

/** `oidc` is set when single sign-on is configured (`OIDC_ISSUER`). */
export type Config = z.infer<typeof ConfigSchema> & { dataDir: string; oidc: OidcConfig | undefined };

type ParsedConfig = z.infer<typeof ConfigSchema>;

/** Settings that are valid alone but not together; each problem starts with the variable to fix. */
export function combinationProblems(config: ParsedConfig): string[] {
  const problems: string[] = [];
  const bothOrNeither = (a: keyof ParsedConfig, b: keyof ParsedConfig, what: string): void => {
    if (config[a] && !config[b]) problems.push(`${b}: must be set with ${a} (${what})`);
    if (config[b] && !config[a]) problems.push(`${a}: must be set with ${b} (${what})`);
  };
  bothOrNeither('TLS_CERT_FILE', 'TLS_KEY_FILE', 'the dashboard serves HTTPS only with both');
  bothOrNeither('ETCD_CERT_FILE', 'ETCD_KEY_FILE', 'the client certificate for etcd and its key');
  if (config.SWITCHYARD_ALERT_WEBHOOK_SECRET !== undefined && !config.SWITCHYARD_ALERT_WEBHOOK_URL) problems.push('SWITCHYARD_ALERT_WEBHOOK_URL: must be set with SWITCHYARD_ALERT_WEBHOOK_SECRET');
  if (config.ETCD_PASSWORD !== undefined && !config.ETCD_USERNAME) problems.push('ETCD_USERNAME: must be set with ETCD_PASSWORD');
  const endpoints = config.ETCD_ENDPOINTS ?? [];
  const tlsFiles = (['ETCD_CA_FILE', 'ETCD_CERT_FILE', 'ETCD_KEY_FILE'] as const).filter((name) => config[name]);
  const connectionSettings = [...tlsFiles, ...(config.ETCD_USERNAME ? ['ETCD_USERNAME'] : [])];
  if (endpoints.length === 0 && connectionSettings.length > 0) {
    problems.push(`ETCD_ENDPOINTS: must be set with ${connectionSettings.join(', ')} (without it Switchyard starts its own plain local etcd)`);
  }
  const schemes = new Set(endpoints.map((endpoint) => (/^https:\/\//i.test(endpoint) ? 'https' : 'http')));
  // etcd3 uses one set of channel credentials for every endpoint.
  if (schemes.size > 1) problems.push('ETCD_ENDPOINTS: mixes http:// and https:// endpoints; use one scheme for all');
  else if (schemes.has('http') && tlsFiles.length > 0) problems.push(`ETCD_ENDPOINTS: use https:// endpoints with ${tlsFiles.join(', ')}`);
  return problems;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  const problems = parsed.success
    ? combinationProblems(parsed.data)
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  return { ...parsed.data, dataDir: path.resolve(parsed.data.DATA_DIR), oidc: oidcConfigFrom(parsed.data) };
}

/** Reads a file named by a configuration variable; the error names both, as at start-up. */
export function readConfiguredFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`);
  }
}
