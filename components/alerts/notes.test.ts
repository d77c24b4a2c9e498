import { describe, expect, it } from 'vitest';
import { resolvedNote, silencedNote } from './notes';

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

describe('silencedNote', () => {
  it('names the silence rule by its reason', () => {
    expect(silencedNote({ silencedBy: 's1' }, [{ id: 's1', reason: 'reindexing tonight' }])).toBe('held by the silence rule “reindexing tonight”');
    expect(silencedNote({ silencedBy: 'gone' }, [])).toBe('held by a silence rule');
  });
});
