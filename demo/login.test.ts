import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReporterToken, keepReporterToken, type ReporterToken } from './login';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Requests the fake dashboard received. */
let received = 0;

/** A dashboard whose sign-in answers `status` with `message` in the API's error body, and nothing else. */
async function dashboardAnswering(status: number, message = 'x'): Promise<string> {
  received = 0;
  server = createServer((_request, response) => {
    received += 1;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'x', message } }));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createReporterToken', () => {
  it('blames the data dir’s admin password only when the sign-in is refused as wrong (401)', async () => {
    const url = await dashboardAnswering(401);
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow(
      "cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR",
    );
  });

  it('says a sign-in the dashboard failed (500) is the dashboard’s error, to be read in its log, not a password of another run', async () => {
    const url = await dashboardAnswering(500);
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow('cannot sign in as admin: the dashboard answered HTTP 500 (its log above says why)');
  });

  it('gives the dashboard’s own reason for a refusal it logs nothing of, such as a locked account (429)', async () => {
    const url = await dashboardAnswering(429, 'too many failed sign-ins for this account; try again in 15 min');
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow(
      'cannot sign in as admin: the dashboard answered HTTP 429: too many failed sign-ins for this account; try again in 15 min',
    );
  });
});

/** A fake clock whose timers run when the test says. */
function manualTimers(startMs: number) {
  let nowMs = startMs;
  const timers: { atMs: number; run: () => void }[] = [];
  return {
    now: () => nowMs,
    schedule: (run: () => void, delayMs: number) => {
      const timer = { atMs: nowMs + delayMs, run };
      timers.push(timer);
      return () => void timers.splice(timers.indexOf(timer), 1);
    },
    pending: () => timers.map((timer) => timer.atMs),
    /** Moves to the next timer and runs it. */
    next: () => {
      timers.sort((a, b) => a.atMs - b.atMs);
      const timer = timers.shift();
      if (!timer) throw new Error('no timer');
      nowMs = timer.atMs;
      timer.run();
    },
  };
}

describe('keepReporterToken', () => {
  const HOUR = 3_600_000;
  const T0 = Date.parse('2026-12-07T20:00:00Z');

  it('renews the token an hour before it expires and hands the new one to the reporters, again and again', async () => {
    const clock = manualTimers(T0);
    const used: string[] = [];
    let made = 0;
    const renew = vi.fn((nowMs: number) => Promise.resolve({ token: `syd_${(made += 1)}`, expiresAtMs: nowMs + 24 * HOUR }));
    const stop = keepReporterToken({ token: 'syd_0', expiresAtMs: T0 + 5 * HOUR }, { renew, use: (token) => used.push(token), log: () => undefined, ...clock });
    expect(clock.pending()).toEqual([T0 + 4 * HOUR]);
    clock.next();
    await vi.waitFor(() => expect(used).toEqual(['syd_1']));
    expect(renew).toHaveBeenCalledWith(T0 + 4 * HOUR);
    expect(clock.pending()).toEqual([T0 + 4 * HOUR + 23 * HOUR]);
    clock.next();
    await vi.waitFor(() => expect(used).toEqual(['syd_1', 'syd_2']));
    stop();
    expect(clock.pending()).toEqual([]);
  });

  it('retries a renewal the dashboard could not answer (unreachable, HTTP 5xx) after 1, 2, 4… min up to 15, saying so once, and renews nothing for a token that never expires', async () => {
    const clock = manualTimers(T0);
    const used: string[] = [];
    const logged: string[] = [];
    const failing = await dashboardAnswering(500);
    const renew = vi
      .fn<(nowMs: number) => Promise<ReporterToken>>()
      // Nothing listens on port 1: a network error.
      .mockImplementationOnce((nowMs) => createReporterToken('http://127.0.0.1:1', 'a-demo-password', tmpdir(), nowMs))
      .mockImplementation((nowMs) => createReporterToken(failing, 'a-demo-password', tmpdir(), nowMs));
    keepReporterToken({ token: 'syd_0', expiresAtMs: T0 + HOUR / 2 }, { renew, use: (token) => used.push(token), log: (message) => logged.push(message), ...clock });
    // Under an hour left already: at once.
    expect(clock.pending()).toEqual([T0]);
    const retries: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) {
      clock.next();
      await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
      retries.push(((clock.pending()[0] ?? 0) - clock.now()) / 60_000);
    }
    expect(retries).toEqual([1, 2, 4, 8, 15, 15, 15]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^cannot renew the reporters' token \(it expires at 2026-12-07T20:30:00.000Z\): cannot reach the dashboard: .*; trying again after 1, 2, 4… min \(at most 15\)$/);
    renew.mockImplementation((nowMs) => Promise.resolve({ token: 'syd_1', expiresAtMs: nowMs + 24 * HOUR }));
    clock.next();
    await vi.waitFor(() => expect(used).toEqual(['syd_1']));
    expect(clock.pending()).toEqual([clock.now() + 23 * HOUR]);
    const never = manualTimers(T0);
    keepReporterToken({ token: 'syd_0', expiresAtMs: null }, { renew, use: () => undefined, log: () => undefined, ...never });
    expect(never.pending()).toEqual([]);
  });

  it('tries a sign-in refused for a lock (HTTP 429) again later: a lock counts no failure, and the admin mistyping, or five sign-ins at once, locks for minutes only', async () => {
    const clock = manualTimers(T0);
    const logged: string[] = [];
    const url = await dashboardAnswering(429, 'too many failed sign-ins');
    keepReporterToken(
      { token: 'syd_0', expiresAtMs: T0 + HOUR / 2 },
      { renew: (nowMs) => createReporterToken(url, 'a-demo-password', tmpdir(), nowMs), use: () => undefined, log: (message) => logged.push(message), ...clock },
    );
    clock.next();
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    expect(logged[0]).toContain('HTTP 429: too many failed sign-ins; trying again after 1, 2, 4… min (at most 15)');
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
  });

  it.each([[401, "cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR"]])(
    'stops at a sign-in refused with HTTP %i, saying so once, so a password changed since the demo started cannot lock the admin out', async (status, why) => {
    const clock = manualTimers(T0);
    const logged: string[] = [];
    const url = await dashboardAnswering(status, 'too many failed sign-ins');
    keepReporterToken(
      { token: 'syd_0', expiresAtMs: T0 + HOUR / 2 },
      { renew: (nowMs) => createReporterToken(url, 'a-demo-password', tmpdir(), nowMs), use: () => undefined, log: (message) => logged.push(message), ...clock },
    );
    clock.next();
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    expect(logged[0]).toBe(
      `cannot renew the reporters' token (it expires at 2026-12-07T20:30:00.000Z): ${why}; not trying again (it would be refused again, and refused sign-ins lock the admin out): the reports stop when it expires, unless the demo is restarted`,
    );
    expect(clock.pending()).toEqual([]);
    expect(received).toBe(1);
  });
});
