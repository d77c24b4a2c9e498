import { z } from 'zod';
import { FLAP_CHANGES_KEPT, FLAP_MIN_CHANGES } from '../status/flapping';

/** Every alert Switchyard raises; the `alertname` label. */
export const ALERT_NAMES = [
  'ServiceCritical',
  'ServiceFlapping',
  'ServiceErrorRate',
  'ServiceLatency',
  'InstancesLost',
  'DependencyFailing',
  'RegistryUnreachable',
  'DrainStuck',
] as const;
export const AlertNameSchema = z.enum(ALERT_NAMES);
export type AlertName = z.infer<typeof AlertNameSchema>;

const seconds = (max: number) => z.number().int().min(0).max(max);

/** What one service may override; every field optional, unknown fields refused. */
export const ServiceRuleSchema = z
  .object({
    /** A service (or a failing dependency) critical this long fires `ServiceCritical` / `DependencyFailing`. */
    criticalForSeconds: seconds(86_400),
    /** A service `warning` because of its error rate or p95 this long fires `ServiceErrorRate` / `ServiceLatency`. */
    warningForSeconds: seconds(86_400),
    /**
     * Changes into or out of critical within 10 min (status/flapping.ts) of one instance that fire
     * `ServiceFlapping`: 5 is three failures with recoveries between. At least the service page's 3,
     * at most the changes an instance keeps.
     */
    flappingChanges: z.number().int().min(FLAP_MIN_CHANGES).max(FLAP_CHANGES_KEPT),
    /** Lost instances that still degrade the service this long fire `InstancesLost`. */
    lostForSeconds: seconds(86_400),
    /** An instance still receiving calls this long after its drain began fires `DrainStuck`. */
    drainStuckSeconds: z.number().int().min(10).max(30 * 86_400),
    /** Alerts this service never raises. */
    disabled: z.array(AlertNameSchema).max(ALERT_NAMES.length),
  })
  .partial()
  .strict();
export type ServiceRule = z.infer<typeof ServiceRuleSchema>;
export type ResolvedRule = Required<ServiceRule>;

export const DEFAULT_RULE: ResolvedRule = {
  criticalForSeconds: 60,
  warningForSeconds: 300,
  lostForSeconds: 0,
  flappingChanges: 5,
  drainStuckSeconds: 900,
  disabled: [],
};

/** etcd unreachable this long fires `RegistryUnreachable` (not per service). */
export const DEFAULT_REGISTRY_UNREACHABLE_SECONDS = 30;

/**
 * `SWITCHYARD_ALERT_RULES` as parsed: defaults over DEFAULT_RULE, then per-service overrides over
 * those. Services are a Map: their names are fleet data.
 */
export interface AlertRules {
  defaults: ResolvedRule;
  registryUnreachableForSeconds: number;
  services: ReadonlyMap<string, ServiceRule>;
}

export const DEFAULT_ALERT_RULES: AlertRules = { defaults: DEFAULT_RULE, registryUnreachableForSeconds: DEFAULT_REGISTRY_UNREACHABLE_SECONDS, services: new Map() };

/** At most this many per-service overrides: the variable is an operator's, but still bounded. */
export const MAX_SERVICE_RULES = 10_000;

const RulesDocumentSchema = z
  .object({
    defaults: ServiceRuleSchema.optional(),
    registryUnreachableForSeconds: seconds(86_400).optional(),
    services: z.custom<object>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected an object keyed by service').optional(),
  })
  .strict();

/**
 * Parses the rules document, e.g. `{"defaults":{"criticalForSeconds":30},"services":{"batch":{"disabled":["ServiceLatency"]}}}`.
 * Services are read with Object.entries into a Map (a `__proto__` or `constructor` service is data, not a trap).
 */
export const AlertRulesSchema = RulesDocumentSchema.transform((document, context): AlertRules => {
  const services = new Map<string, ServiceRule>();
  const entries = Object.entries(document.services ?? {});
  if (entries.length > MAX_SERVICE_RULES) context.addIssue({ code: 'custom', message: `at most ${MAX_SERVICE_RULES} services`, path: ['services'] });
  for (const [service, value] of entries.slice(0, MAX_SERVICE_RULES)) {
    const parsed = ServiceRuleSchema.safeParse(value);
    if (parsed.success) services.set(service, parsed.data);
    else for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: ['services', service, ...issue.path] });
  }
  return {
    defaults: { ...DEFAULT_RULE, ...document.defaults },
    registryUnreachableForSeconds: document.registryUnreachableForSeconds ?? DEFAULT_REGISTRY_UNREACHABLE_SECONDS,
    services,
  };
});

/** The rule a service's alerts follow. */
export function ruleFor(rules: AlertRules, service: string): ResolvedRule {
  const override = rules.services.get(service);
  return override ? { ...rules.defaults, ...override } : rules.defaults;
}
