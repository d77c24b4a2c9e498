import path from 'node:path';
import { z } from 'zod';
import { checkOidcEnv, OidcEnvShape, oidcConfigFrom, type OidcConfig } from './auth/oidc-config';

const commaList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part.length > 0));

const optionalPath = z.string().min(1).optional();

const ThresholdsSchema = z
  .object({
    passAfter: z.number().int().min(1).max(100),
    failAfter: z.number().int().min(1).max(100),
    warnLatencyMs: z.number().positive().max(600_000),
  })
  .partial()
  .strict();
const HealthOverridesSchema = z.record(z.string(), ThresholdsSchema);

/** Environment contract (DESIGN §4). Validated once at start; a bad value stops the process with its name. */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ETCD_ENDPOINTS: commaList.optional(),
  ETCD_USERNAME: z.string().min(1).optional(),
  ETCD_PASSWORD: z.string().optional(),
  ETCD_CA_FILE: optionalPath,
  ETCD_CERT_FILE: optionalPath,
  ETCD_KEY_FILE: optionalPath,
  SWITCHYARD_PREFIXES: commaList.optional(),
  SWITCHYARD_CONTROL_PREFIX: z
    .string()
    .regex(/^\/.*\/$/, 'must start and end with "/"')
    .default('/switchyard/'),
  DATA_DIR: z.string().min(1).default('./data'),
  SWITCHYARD_PROBE_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  SWITCHYARD_PROBE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  SWITCHYARD_PROBE_CONCURRENCY: z.coerce.number().int().min(1).max(5_000).default(256),
  /** Only these CIDRs are probed when set; the deny list always applies. */
  SWITCHYARD_PROBE_ALLOW_CIDRS: commaList.optional(),
  SWITCHYARD_PROBE_DENY_CIDRS: commaList.default(['169.254.0.0/16', 'fd00:ec2::254/128']),
  /** JSON: per-service health thresholds, e.g. {"search":{"warnLatencyMs":3000,"failAfter":5}}. */
  SWITCHYARD_HEALTH_OVERRIDES: z
    .string()
    .optional()
    .transform((text, context) => {
      if (!text) return {};
      try {
        return HealthOverridesSchema.parse(JSON.parse(text));
      } catch (error) {
        context.addIssue({ code: 'custom', message: `must be JSON like {"svc":{"failAfter":5}}: ${error instanceof Error ? error.message : String(error)}` });
        return z.NEVER;
      }
    }),
  /** A drained instance counts as `drained` once reported calls to it have been zero this long. */
  SWITCHYARD_DRAIN_QUIET_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /** Minimum spacing between two `state:delta` broadcasts (ms); a change after a quiet spell is sent at once. */
  SWITCHYARD_COALESCE_MS: z.coerce.number().int().min(0).max(100).default(10),
  ...OidcEnvShape,
}).superRefine(checkOidcEnv);

/** `oidc` is set when single sign-on is configured (`OIDC_ISSUER`). */
export type Config = z.infer<typeof ConfigSchema> & { dataDir: string; oidc: OidcConfig | undefined };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.DATA_DIR), oidc: oidcConfigFrom(parsed.data) };
}
