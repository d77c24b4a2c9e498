import { describe, expect, it } from 'vitest';
import { createApiAdmission, type ApiLimits } from './admission';

const LIMITS: ApiLimits = { clientInFlight: 2, clientWaiting: 2, totalInFlight: 3, totalWaiting: 3 };

/** Enters a request, recording when it starts; its `leave`, or the refusal. */
function request(admission: ReturnType<typeof createApiAdmission>, client: string, started: string[], label: string) {
  const entered = admission.enter(client, () => started.push(label));
  return entered.ok ? entered.leave : entered.refusal;
}

describe('createApiAdmission', () => {
  it('starts requests at once under both bounds, queues a client past its own, and refuses it with "client" past its wait', () => {
    const admission = createApiAdmission(LIMITS);
    const started: string[] = [];
    const results = ['a1', 'a2', 'a3', 'a4', 'a5'].map((label) => request(admission, 'a', started, label));
    expect(started).toEqual(['a1', 'a2']);
    expect(results[4]).toBe('client');
    expect(admission.stats()).toEqual({ inFlight: 2, waiting: 2, clients: 1, refused: { client: 1, total: 0 } });
  });

  it('serves another client while one floods, and refuses with "total" once everyone\'s wait is full', () => {
    const admission = createApiAdmission(LIMITS);
    const started: string[] = [];
    for (const label of ['a1', 'a2', 'a3', 'a4']) request(admission, 'a', started, label);
    expect(request(admission, 'b', started, 'b1')).toBeTypeOf('function');
    expect(started).toEqual(['a1', 'a2', 'b1']);
    request(admission, 'c', started, 'c1');
    expect(request(admission, 'd', started, 'd1')).toBe('total');
    expect(admission.stats()).toEqual({ inFlight: 3, waiting: 3, clients: 3, refused: { client: 0, total: 1 } });
  });

  it('hands freed places to the waiting clients in turn, so a long queue does not starve a short one', () => {
    const admission = createApiAdmission({ ...LIMITS, clientWaiting: 10, totalInFlight: 2, totalWaiting: 10 });
    const started: string[] = [];
    const leaves = new Map<string, () => void>();
    for (const label of ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2']) {
      const leave = request(admission, label.slice(0, 1), started, label);
      if (typeof leave === 'function') leaves.set(label, leave);
    }
    for (const label of ['a1', 'a2', 'a3', 'b1']) leaves.get(label)?.();
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'a4', 'b2']);
  });

  it('lets a request leave while waiting, once, and forgets a client with nothing held or waiting', () => {
    const admission = createApiAdmission(LIMITS);
    const started: string[] = [];
    const leaves = ['a1', 'a2', 'a3'].map((label) => request(admission, 'a', started, label));
    const [leave1, leave2, leave3] = leaves;
    if (typeof leave1 !== 'function' || typeof leave2 !== 'function' || typeof leave3 !== 'function') throw new Error('all admitted');
    leave3();
    leave3();
    expect(admission.stats()).toEqual({ inFlight: 2, waiting: 0, clients: 1, refused: { client: 0, total: 0 } });
    leave1();
    leave1();
    leave2();
    expect(started).toEqual(['a1', 'a2']);
    expect(admission.stats()).toEqual({ inFlight: 0, waiting: 0, clients: 0, refused: { client: 0, total: 0 } });
  });

  it('counts the requests it refused since start by why, after their clients are forgotten too', () => {
    const admission = createApiAdmission(LIMITS);
    const started: string[] = [];
    const leaves: (() => void)[] = [];
    for (const [client, label] of [['a', 'a1'], ['a', 'a2'], ['a', 'a3'], ['a', 'a4'], ['a', 'a5'], ['b', 'b1'], ['c', 'c1'], ['d', 'd1'], ['a', 'a6'], ['e', 'e1']] as const) {
      const leave = request(admission, client, started, label);
      if (typeof leave === 'function') leaves.push(leave);
    }
    // a5 and a6 past a's wait, d1 and e1 past everyone's.
    expect(admission.stats().refused).toEqual({ client: 2, total: 2 });
    for (const leave of leaves) leave();
    expect(admission.stats()).toEqual({ inFlight: 0, waiting: 0, clients: 0, refused: { client: 2, total: 2 } });
  });

  it('does not let a new request pass its own client\'s waiting ones', () => {
    const admission = createApiAdmission({ ...LIMITS, totalInFlight: 1 });
    const started: string[] = [];
    const leaveB = request(admission, 'b', started, 'b1');
    request(admission, 'a', started, 'a1');
    if (typeof leaveB !== 'function') throw new Error('b1 starts at once');
    leaveB();
    request(admission, 'a', started, 'a2');
    expect(started).toEqual(['b1', 'a1']);
  });
});
