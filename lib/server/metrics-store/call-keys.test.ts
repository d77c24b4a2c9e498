import { describe, expect, it } from 'vitest';
import { CallKeyMemory, callKeysOf, MAX_REMEMBERED_CALLS, MAX_REMEMBERED_REPORTERS } from './call-keys';
import { edgeKey, instanceKey, serviceKey } from './series-key';

describe('CallKeyMemory: series keys of a reporter\'s calls, remembered by position', () => {
  it('gives the keys the names make, and the very same strings for the same call the next batch', () => {
    const memory = new CallKeyMemory();
    const first = memory.keys('web', memory.reporter('web'), 0, 'orders', 'orders-1');
    expect(first).toEqual({ service: serviceKey('orders'), instance: instanceKey('orders', 'orders-1'), edge: edgeKey('web', 'orders') });
    const again = memory.keys('web', memory.reporter('web'), 0, 'orders', 'orders-1');
    expect(again.service).toBe(first.service);
    expect(again.edge).toBe(first.edge);
  });

  it('keys afresh a call that differs from the one remembered at its position, callee or instance', () => {
    const memory = new CallKeyMemory();
    memory.keys('web', memory.reporter('web'), 0, 'orders', 'orders-1');
    expect(memory.keys('web', memory.reporter('web'), 0, 'orders', 'orders-2')).toEqual(callKeysOf('web', 'orders', 'orders-2'));
    expect(memory.keys('web', memory.reporter('web'), 0, 'orders', undefined)).toEqual(callKeysOf('web', 'orders', undefined));
    expect(memory.keys('web', memory.reporter('web'), 0, 'payments', undefined)).toEqual(callKeysOf('web', 'payments', undefined));
  });

  it('keeps reporters apart: the same position of another reporter is another edge', () => {
    const memory = new CallKeyMemory();
    memory.keys('web', memory.reporter('web'), 0, 'orders', undefined);
    expect(memory.keys('cli', memory.reporter('cli'), 0, 'orders', undefined).edge).toBe(edgeKey('cli', 'orders'));
  });

  it('remembers at most MAX_REMEMBERED_REPORTERS reporters and MAX_REMEMBERED_CALLS calls each, and keys the rest all the same', () => {
    const memory = new CallKeyMemory();
    for (let r = 0; r < MAX_REMEMBERED_REPORTERS * 2; r += 1) memory.reporter(`r-${r}`);
    expect(memory.reporters).toBeLessThanOrEqual(MAX_REMEMBERED_REPORTERS);
    expect(memory.reporters).toBeGreaterThan(MAX_REMEMBERED_REPORTERS * 0.9);
    const calls = memory.reporter('big');
    for (let i = 0; i < MAX_REMEMBERED_CALLS * 3; i += 1) expect(memory.keys('big', calls, i, `c-${i}`, undefined)).toEqual(callKeysOf('big', `c-${i}`, undefined));
    expect(calls).toHaveLength(MAX_REMEMBERED_CALLS);
  });
});
