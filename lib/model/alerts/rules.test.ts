import { describe, expect, it } from 'vitest';
import { AlertRulesSchema, DEFAULT_RULE, ruleFor } from './rules';

describe('alert rules', () => {
  it('lays per-service overrides over the defaults over the built-in rule', () => {
    const rules = AlertRulesSchema.parse({ defaults: { criticalForSeconds: 30 }, services: { batch: { criticalForSeconds: 600, disabled: ['ServiceLatency'] } } });
    expect(ruleFor(rules, 'payments')).toEqual({ ...DEFAULT_RULE, criticalForSeconds: 30 });
    expect(ruleFor(rules, 'batch')).toEqual({ ...DEFAULT_RULE, criticalForSeconds: 600, disabled: ['ServiceLatency'] });
    expect(rules.registryUnreachableForSeconds).toBe(30);
  });

  it('keeps a service named __proto__ or constructor as data', () => {
    const rules = AlertRulesSchema.parse(JSON.parse('{"services":{"__proto__":{"criticalForSeconds":5}}}'));
    expect(ruleFor(rules, '__proto__').criticalForSeconds).toBe(5);
    expect(ruleFor(rules, 'constructor')).toEqual(DEFAULT_RULE);
  });

  it('refuses unknown fields, unknown alert names and numbers out of bounds, naming the service', () => {
    const problems = (value: unknown): string[] => {
      const parsed = AlertRulesSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
    };
    expect(problems({ services: { a: { criticalForSecond: 5 } } })).toEqual(['services.a']);
    expect(problems({ services: { a: { disabled: ['Nope'] } } })).toEqual(['services.a.disabled.0']);
    expect(problems({ defaults: { criticalForSeconds: 86_401 } })).toEqual(['defaults.criticalForSeconds']);
    expect(problems({ defaults: { drainStuckSeconds: 1 } })).toEqual(['defaults.drainStuckSeconds']);
    expect(problems({ extra: true })).toEqual(['']);
  });
});
