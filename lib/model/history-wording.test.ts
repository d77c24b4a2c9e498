import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAFFIC_THRESHOLDS } from './status/combine';
import { errorRecoveryCause, latencyRecoveryCause, registeredAgainDetail, returnedAsInDetail } from './history-wording';

describe('registeredAgainDetail', () => {
  it('names the new id and address, each once', () => {
    expect(registeredAgainDetail('a', { id: 'a2', address: '10.0.0.1:80' })).toBe('registered again as a2 at 10.0.0.1:80');
    expect(registeredAgainDetail('127.0.0.1:38905', { id: '127.0.0.1:38905', address: '127.0.0.1:38905' })).toBe('registered again at 127.0.0.1:38905');
    expect(registeredAgainDetail('orders-1', { id: 'orders-1', address: '10.0.0.9:80' })).toBe('registered again at 10.0.0.9:80');
  });
});

describe('returnedAsInDetail (rows from before returnedAs)', () => {
  it('reads back the id a lost instance returned under, from the detail registeredAgainDetail wrote', () => {
    expect(returnedAsInDetail(registeredAgainDetail('a', { id: 'a2', address: '10.0.0.1:80' }), 'a')).toBe('a2');
    expect(returnedAsInDetail(registeredAgainDetail('10.0.0.1:80', { id: '10.0.0.1:80', address: '10.0.0.1:80' }), '10.0.0.1:80')).toBe('10.0.0.1:80');
    expect(returnedAsInDetail('loss dismissed by alice', 'a')).toBeUndefined();
  });

  it('gives no id for "at X" naming another than the lost one: back under its own id at X, or under the id X', () => {
    expect(registeredAgainDetail('a', { id: 'a', address: '10.0.0.1:80' })).toBe(registeredAgainDetail('a', { id: '10.0.0.1:80', address: '10.0.0.1:80' }));
    expect(returnedAsInDetail(registeredAgainDetail('a', { id: 'a', address: '10.0.0.1:80' }), 'a')).toBeUndefined();
  });

  it('gives no id when the words could name several (" at " in an id or an address, fleet data) or are overlong', () => {
    // Under the old parse: "go at 7" or "a2 at 10.0.0.1", the wrong one when the other held " at ".
    expect(returnedAsInDetail(registeredAgainDetail('a', { id: 'go at 7', address: '10.0.0.1:80' }), 'a')).toBeUndefined();
    expect(returnedAsInDetail(registeredAgainDetail('a', { id: 'a2', address: '10.0.0.1 at rack-7:80' }), 'a')).toBeUndefined();
    expect(returnedAsInDetail('registered again as a2 at 10.0.0.1:80 at 17:38:01', 'a')).toBeUndefined();
    expect(returnedAsInDetail('registered again as  at 10.0.0.1:80', 'a')).toBeUndefined();
    expect(returnedAsInDetail('registered again at ', 'a')).toBeUndefined();
    expect(returnedAsInDetail(`registered again as ${'a'.repeat(2_000)} at 10.0.0.1:80`, 'a')).toBeUndefined();
    // An address after "at" is taken whole: there is nothing to split.
    expect(returnedAsInDetail('registered again at 10.0.0.1 at rack-7:80', '10.0.0.1 at rack-7:80')).toBe('10.0.0.1 at rack-7:80');
  });
});

describe('errorRecoveryCause', () => {
  const thresholds = DEFAULT_TRAFFIC_THRESHOLDS;
  it('says what ended an error verdict', () => {
    expect(errorRecoveryCause({ calls: 300, errors: 120, latest: { calls: 100, errors: 0 } }, thresholds)).toBe('error rate 0 % over the last 10 s (threshold 5.0 %)');
    expect(errorRecoveryCause({ calls: 300, errors: 9, latest: { calls: 4, errors: 1 } }, thresholds)).toBe('error rate 3.0 % over 30 s (threshold 5.0 %)');
    expect(errorRecoveryCause({ calls: 0, errors: 0 }, thresholds)).toBe('no calls reported in the last 30 s');
    // Under the threshold, never shown equal to it.
    expect(errorRecoveryCause({ calls: 2_000, errors: 99, latest: { calls: 2, errors: 1 } }, thresholds)).toBe('error rate 4.95 % over 30 s (threshold 5.0 %)');
    expect(errorRecoveryCause({ calls: 14.8, errors: 6, latest: { calls: 2, errors: 1 } }, thresholds)).toBe('error rate 41 % over 30 s, on too few calls to judge (15; 20 needed)');
  });
});

describe('latencyRecoveryCause', () => {
  it('says the p95 against its usual', () => {
    expect(latencyRecoveryCause({ calls: 200, p95Ms: 40, baselineP95Ms: 33 })).toBe('p95 40 ms over 30 s, 1.2× its usual 33 ms');
    expect(latencyRecoveryCause({ calls: 0, p95Ms: null, baselineP95Ms: 33 })).toBe('no calls reported in the last 30 s');
  });
});
