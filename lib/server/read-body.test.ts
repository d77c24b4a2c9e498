import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readBody as readBodyThen, tooSlow, type BodyOutcome, type BodyPace } from './read-body';

/** A request body streamed in chunks with no Content-Length (chunked transfer encoding). */
function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

const readBody = (request: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<BodyOutcome> =>
  new Promise((resolve) => readBodyThen(request, maxBytes, timeoutMs, resolve));

describe('readBody', () => {
  it('refuses a body that does not arrive in time', async () => {
    const never = Object.assign(new Readable({ read: () => undefined }), { headers: {} }) as unknown as IncomingMessage;
    expect(await readBody(never, 100, 20)).toMatchObject({ ok: false, status: 408 });
  });

  it('reads a plain body and a gzip one', async () => {
    expect(await readBody(request([Buffer.from('ab'), Buffer.from('c')]), 10, 10_000)).toEqual({ ok: true, body: Buffer.from('abc') });
    expect(await readBody(request([gzipSync('hello')], { 'content-encoding': 'gzip' }), 100, 10_000)).toEqual({ ok: true, body: Buffer.from('hello') });
  });

  it('refuses a chunked body over the bound as it arrives, and a declared length at once', async () => {
    const chunks = Array.from({ length: 100 }, () => Buffer.alloc(1_000));
    expect(await readBody(request(chunks), 10_000, 10_000)).toMatchObject({ ok: false, status: 413 });
    expect(await readBody(request([], { 'content-length': '10001' }), 10_000, 10_000)).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses a gzip bomb by its decompressed size, bad gzip with 400 and other encodings with 415', async () => {
    const bomb = gzipSync(Buffer.alloc(10_000_000));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await readBody(request([bomb], { 'content-encoding': 'gzip' }), 100_000, 10_000)).toMatchObject({ ok: false, status: 413, message: expect.stringContaining('decompressed') });
    expect(await readBody(request([Buffer.from('nope')], { 'content-encoding': 'gzip' }), 100, 10_000)).toMatchObject({ ok: false, status: 400 });
    expect(await readBody(request([Buffer.from('x')], { 'content-encoding': 'br' }), 100, 10_000)).toMatchObject({ ok: false, status: 415 });
  });

  it('lets go of a refused body while its request lives on', async () => {
    // A collector on demand (the flag alone does not expose it to a context already made).
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    let first: WeakRef<Buffer> | undefined;
    // Chunks made as they are read, so nothing but the reader holds them.
    const live = Object.assign(
      Readable.from(
        (function* () {
          const chunk = Buffer.alloc(600, 1);
          first = new WeakRef(chunk);
          yield chunk;
          yield Buffer.alloc(600, 2);
        })(),
      ),
      { headers: {} },
    ) as unknown as IncomingMessage;
    expect(await readBody(live, 1_000, 10_000)).toMatchObject({ ok: false, status: 413 });
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(live.readable !== undefined && first?.deref()).toBeFalsy();
  });
});

describe('readBody: the minimum rate', () => {
  const pace: BodyPace = { graceMs: 2_000, minBytesPerSecond: 1_000, checkMs: 1_000 };
  afterEach(() => void vi.useRealTimers());

  /** A body fed by the test, chunk by chunk, with a declared length. */
  const fed = (length: number): { request: IncomingMessage; push(bytes: number): void; end(): void } => {
    const stream = new Readable({ read: () => undefined });
    return {
      request: Object.assign(stream, { headers: { 'content-length': String(length) } }) as unknown as IncomingMessage,
      push: (bytes) => void stream.push(Buffer.alloc(bytes, 1)),
      end: () => void stream.push(null),
    };
  };
  /** Reads with the test's pace on fake timers; `outcome()` is what it resolved with so far. */
  const reading = (request: IncomingMessage): (() => BodyOutcome | undefined) => {
    let outcome: BodyOutcome | undefined;
    readBodyThen(request, 1_000_000, 15_000, (read) => (outcome = read), pace);
    return () => outcome;
  };

  it('takes a body as too slow only after the grace and below the average rate since the start', () => {
    expect(tooSlow(0, 1_999, pace)).toBe(false);
    expect(tooSlow(1_999, 2_000, pace)).toBe(true);
    expect(tooSlow(2_000, 2_000, pace)).toBe(false);
    expect(tooSlow(4_999, 5_000, pace)).toBe(true);
  });

  it('drops a body dribbled in at the first check after its grace, long before the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const body = fed(100);
    const outcome = reading(body.request);
    body.push(1);
    await vi.advanceTimersByTimeAsync(pace.graceMs - 1);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    // The verdict comes in the check phase after the check (what the poll phase read counts).
    await vi.advanceTimersToNextTimerAsync();
    expect(outcome()).toMatchObject({ ok: false, status: 408, slow: true, message: expect.stringContaining('slower than') });
  });

  it('spares a body whose bytes are read between the check and its verdict (they came while the loop was busy)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const body = fed(10_000);
    const outcome = reading(body.request);
    await vi.advanceTimersByTimeAsync(pace.graceMs);
    body.push(2_000);
    await vi.advanceTimersToNextTimerAsync();
    expect(outcome()).toBeUndefined();
    body.push(8_000);
    body.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome()).toMatchObject({ ok: true });
  });

  it('keeps a body that keeps the rate and takes it whole', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const body = fed(6_000);
    const outcome = reading(body.request);
    for (let second = 1; second <= 6; second += 1) {
      body.push(1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(outcome()).toBeUndefined();
    }
    body.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome()).toEqual({ ok: true, body: Buffer.alloc(6_000, 1) });
  });

  it('drops a body that falls behind the rate after a good start', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const body = fed(100_000);
    const outcome = reading(body.request);
    body.push(3_500);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersToNextTimerAsync();
    expect(outcome()).toMatchObject({ ok: false, status: 408, slow: true });
  });
});
