import type { TestServer } from './server';

/**
 * Asks `/healthz` every `everyMs` until `done` settles (a flood's end), one request at a time.
 * Resolves to each answer's latency in ms, `timeoutMs` for one that failed or timed out.
 */
export async function probeHealthUntil(server: Pick<TestServer, 'fetch'>, done: Promise<unknown>, everyMs: number, timeoutMs: number): Promise<number[]> {
  let running = true;
  const stop = (): void => {
    running = false;
  };
  done.then(stop, stop);
  const latencies: number[] = [];
  while (running) {
    const sent = performance.now();
    const ok = await server
      .fetch('/healthz', { signal: AbortSignal.timeout(timeoutMs) })
      .then(async (response) => (await response.text(), response.status === 200))
      .catch(() => false);
    latencies.push(ok ? performance.now() - sent : timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return latencies;
}
