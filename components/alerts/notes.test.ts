import { describe, expect, it } from 'vitest';
import { resolvedNote, resolvedOnNote, silencedNote, statusNowNote } from './notes';

describe('resolvedNote', () => {
  it('says nothing of an alert that was sent', () => {
    expect(resolvedNote({ endedAs: 'firing', notified: true }, true)).toBeNull();
  });
  it('says why one was never sent: held by its origin, silenced, or no receiver', () => {
    expect(resolvedNote({ endedAs: 'suppressed', notified: false, suppressedBy: 'payments' }, true)).toBe('suppressed by payments (the probable origin), never sent');
    expect(resolvedNote({ endedAs: 'silenced', notified: false }, true)).toBe('silenced, never sent');
    expect(resolvedNote({ endedAs: 'firing', notified: true }, false)).toBe('fired, never sent: no receiver configured');
  });
});

describe('resolvedOnNote', () => {
  it('says whether the resolved time is the service\u2019s recovery or the check that found the condition over', () => {
    const labels = { alertname: 'InstancesLost' as const, service: 'payments', severity: 'critical' as const, cause: 'lost' as const };
    expect(resolvedOnNote({ labels, resolvedOn: 'recovery' })).toBe('at the recovery of payments (passing again)');
    expect(resolvedOnNote({ labels, resolvedOn: 'evaluation' })).toBe('when a check found it over');
    expect(resolvedOnNote({ labels })).toBeNull();
  });
});

describe('silencedNote', () => {
  it('names the silence rule by its reason', () => {
    expect(silencedNote({ silencedBy: 's1' }, [{ id: 's1', reason: 'reindexing tonight' }])).toBe('held by the silence rule “reindexing tonight”');
    expect(silencedNote({ silencedBy: 'gone' }, [])).toBe('held by a silence rule');
  });
});

describe('statusNowNote', () => {
  const labels = { alertname: 'ServiceCritical' as const, service: 'payments', severity: 'critical' as const, cause: 'probe' as const };
  it('says why an alert disagrees with the header: its service is no longer what it was at the last evaluation', () => {
    expect(statusNowNote({ labels }, { status: 'warning' })).toBe('payments is warning now: the alerts follow at the next check, within seconds');
    expect(statusNowNote({ labels }, undefined)).toBe('payments is no longer registered: the alerts follow at the next check, within seconds');
  });
  it('says nothing while the service still is what the alert says', () => {
    expect(statusNowNote({ labels }, { status: 'critical' })).toBeNull();
    expect(statusNowNote({ labels: { ...labels, alertname: 'DependencyFailing', cause: 'calls' } }, undefined)).toBeNull();
  });
});

describe('statusNowNote, for a service the header counts apart', () => {
  it('says a critical service serving on out of discovery is counted apart in the header, not as critical', () => {
    const labels = { alertname: 'ServiceCritical' as const, service: 'orders', severity: 'critical' as const, cause: 'lost' as const };
    const unlisted = { status: 'critical' as const, failingOnlyLost: true as const, lost: 3, lostServing: 3 };
    expect(statusNowNote({ labels }, unlisted)).toBe('orders is counted apart in the header, out of discovery: its instances serve on, but callers cannot find them through etcd');
    // Gone processes are the header's critical count, as the alert says.
    expect(statusNowNote({ labels }, { ...unlisted, lostServing: 1 })).toBeNull();
  });
});
