import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from './latency';
import { createTopic, startArrivals, startConsumer } from './traffic';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('startArrivals', () => {
  it('fires at about the given rate until stopped', async () => {
    let fired = 0;
    const stop = startArrivals(20, async () => void (fired += 1), seededRandom(5));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toBeGreaterThan(170);
    expect(fired).toBeLessThan(230);
    stop();
    const before = fired;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toBe(before);
  });
});

describe('topic and consumer', () => {
  it('delivers each published message once, in order with its trace context, a few at a time', async () => {
    const topic = createTopic();
    for (let i = 0; i < 10; i += 1) topic.publish({ traceparent: `00-${'1'.repeat(32)}-${String(i).padStart(16, '0')}-01` });
    const seen: (string | undefined)[] = [];
    let handled = 0;
    let concurrent = 0;
    let peak = 0;
    const stop = startConsumer(
      topic,
      async (message) => {
        seen.push(message.traceparent);
        concurrent += 1;
        peak = Math.max(peak, concurrent);
        await new Promise((resolve) => setTimeout(resolve, 50));
        concurrent -= 1;
        handled += 1;
      },
      3,
    );
    await vi.advanceTimersByTimeAsync(2_000);
    stop();
    expect(handled).toBe(10);
    expect(peak).toBe(3);
    // In order, each with the context its producer gave it.
    expect(seen.map((traceparent) => traceparent?.slice(36, 52))).toEqual(Array.from({ length: 10 }, (_, i) => String(i).padStart(16, '0')));
    expect(topic.take()).toBeUndefined();
  });
});
