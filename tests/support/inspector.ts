import { WebSocket } from 'undici';
import { z } from 'zod';
import { eventually, type TestServer } from './server';

/** Node flags for `startServer` that let `retainedHeapBytes` reach the server (loopback, a free port). */
export const INSPECTOR_NODE_ARGS = ['--inspect=127.0.0.1:0'];

const ReplySchema = z.object({ id: z.number(), result: z.object({ result: z.object({ value: z.unknown() }).optional() }).optional(), error: z.unknown().optional() });

/**
 * The server's heap after full garbage collections, through its inspector (started with
 * INSPECTOR_NODE_ARGS): what it keeps, where RSS also counts garbage not yet collected and heap V8
 * has grown and not given back — noise of tens of MB over a hundred requests.
 */
export async function retainedHeapBytes(server: TestServer): Promise<number> {
  const url = await eventually(() => /Debugger listening on (ws:\/\/\S+)/.exec(server.output())?.[1], 10_000, 'the inspector URL');
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('inspector connection failed')), { once: true });
  });
  let nextId = 0;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> => {
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      const onMessage = (event: { data: unknown }): void => {
        const reply = ReplySchema.safeParse(JSON.parse(String(event.data)));
        if (!reply.success || reply.data.id !== id) return;
        socket.removeEventListener('message', onMessage);
        if (reply.data.error !== undefined) reject(new Error(`${method}: ${JSON.stringify(reply.data.error)}`));
        else resolve(reply.data.result?.result?.value);
      };
      socket.addEventListener('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  try {
    // Twice: objects with finalizers or weak references are freed by the second.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    return z.number().parse(await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true }));
  } finally {
    socket.close();
  }
}
