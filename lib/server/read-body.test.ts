import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBody as readBodyThen, type BodyOutcome } from './read-body';

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
