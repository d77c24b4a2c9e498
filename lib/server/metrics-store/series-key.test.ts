import { describe, expect, it } from 'vitest';
import { edgeKey, instanceKey, probeKey, seriesKeyFromText, seriesKeyText, serviceKey } from './series-key';

describe('persisted series keys', () => {
  it('round-trip every kind, names with NUL-free JSON escapes included', () => {
    for (const key of [serviceKey('pay'), instanceKey('pay', 'p-1'), edgeKey('web', 'pay'), probeKey('/services/pay/p-1'), serviceKey('名前 "q"\n\\')]) {
      const text = seriesKeyText(key);
      expect(text).not.toContain('\u0000');
      expect(seriesKeyFromText(text)).toBe(key);
    }
  });

  it('refuse what is not a key of a known kind and arity', () => {
    for (const text of ['', 'not json', '{}', '["svc"]', '["svc","a","b"]', '["ins","a"]', '["xyz","a"]', '["__proto__","a"]', '["svc",1]']) {
      expect(seriesKeyFromText(text)).toBeUndefined();
    }
  });
});
