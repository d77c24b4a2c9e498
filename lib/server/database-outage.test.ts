import { describe, expect, it } from 'vitest';
import { createDatabaseOutage } from './database-outage';

describe('database outage log', () => {
  it('logs an outage once however many requests find it, and its end once with how long it lasted', () => {
    const clock = { ms: 1_000 };
    const lines: string[] = [];
    const outage = createDatabaseOutage({ now: () => clock.ms, log: (line) => lines.push(line) });
    outage.reachable();
    expect(lines).toEqual([]);
    for (let i = 0; i < 50; i += 1) outage.unreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(outage.since()).toBe(1_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^database unreachable \(connect ECONNREFUSED 127\.0\.0\.1:5432\)/);
    clock.ms += 12_000;
    outage.reachable();
    outage.reachable();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('database reachable again after 12 s (50 request(s) found it unreachable)');
    expect(outage.since()).toBeNull();
    outage.unreachable(new Error('Connection terminated unexpectedly'));
    expect(lines).toHaveLength(3);
  });
});
