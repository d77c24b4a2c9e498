import { describe, expect, it } from 'vitest';
import { createRuntimeParts } from './parts';

describe('createRuntimeParts', () => {
  it('stops parts in reverse order of starting, awaiting each', async () => {
    const stopped: string[] = [];
    const parts = createRuntimeParts(() => undefined);
    parts.add('store', 'store', (name) => stopped.push(name));
    parts.add('history', 'history', async (name) => {
      await Promise.resolve();
      stopped.push(name);
    });
    parts.add('prober', 'prober', (name) => stopped.push(name));
    await parts.stopAll();
    expect(stopped).toEqual(['prober', 'history', 'store']);
  });

  it('logs a failing stop and still stops the rest, once', async () => {
    const stopped: string[] = [];
    const logged: string[] = [];
    const parts = createRuntimeParts((line) => logged.push(line));
    parts.add('history', 1, () => stopped.push('history'));
    parts.add('registry', 2, () => {
      throw new Error('etcd gone');
    });
    await parts.stopAll();
    await parts.stopAll();
    expect(stopped).toEqual(['history']);
    expect(logged).toEqual(['stopping registry failed: etcd gone']);
  });

  it('hands back the value it records', () => {
    const parts = createRuntimeParts(() => undefined);
    const value = { sweep: () => undefined };
    expect(parts.add('sweeper', value, () => undefined)).toBe(value);
  });
});
