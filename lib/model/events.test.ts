import { describe, expect, it } from 'vitest';
import { EventExportQuerySchema, EventQuerySchema } from './events';

const issue = (query: Record<string, string>) => {
  const parsed = EventQuerySchema.safeParse(query);
  return parsed.success ? undefined : { field: parsed.error.issues[0]?.path.join('.'), message: parsed.error.issues[0]?.message };
};

describe('EventQuerySchema', () => {
  it('refuses a reversed or empty time range, naming since as incidents do', () => {
    expect(issue({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' })).toEqual({ field: 'since', message: 'must be before until' });
    expect(issue({ since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' })).toEqual({ field: 'since', message: 'must be before until' });
    expect(issue({ since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:01Z' })).toBeUndefined();
    expect(issue({ since: '2026-01-01T00:00:00Z' })).toBeUndefined();
  });

  it.each(['99999999999999999999999999:1', '8640000000000001:1', '1767225600000:99999999999999999999', '1:2:3', 'x', ''])('refuses the cursor %j', (cursor) => {
    expect(issue({ cursor })).toEqual({ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' });
  });

  it.each(['1767225600000:42', '0:1', '8640000000000000:9007199254740991'])('accepts the cursor %j', (cursor) => {
    expect(issue({ cursor })).toBeUndefined();
  });

  it('applies the same range check to the export, which takes no paging', () => {
    expect(EventExportQuerySchema.safeParse({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }).error?.issues[0]?.path).toEqual(['since']);
    expect(EventExportQuerySchema.parse({ format: 'json', cursor: '1:1' })).toEqual({ format: 'json' });
  });
});
