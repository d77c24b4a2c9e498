import { describe, expect, it } from 'vitest';
import { snapshotJson } from './snapshot-bodies';

describe('snapshotJson', () => {
  it('builds an answer once per snapshot and kind, and again for the next snapshot', async () => {
    const builds: string[] = [];
    const build = (label: string) => () => {
      builds.push(label);
      return { label };
    };
    const first = { seq: 1 };
    const answers = [snapshotJson(first, 'targets', build('a')), snapshotJson(first, 'targets', build('b')), snapshotJson(first, 'services', build('c')), snapshotJson({ seq: 2 }, 'targets', build('d'))];
    expect(await Promise.all(answers.map((answer) => answer.json()))).toEqual([{ label: 'a' }, { label: 'a' }, { label: 'c' }, { label: 'd' }]);
    expect(builds).toEqual(['a', 'c', 'd']);
    expect(answers[0]?.headers.get('content-type')).toBe('application/json');
    expect(answers[0]?.headers.get('cache-control')).toBe('no-store');
  });
});
