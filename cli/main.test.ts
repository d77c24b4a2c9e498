import { describe, expect, it } from 'vitest';
import { EXIT } from './exit';
import { run } from './main';

/** Runs the CLI against a canned answer; returns what it printed. */
async function printed(argv: string[], answer: { status: number; body: unknown }): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await run([...argv, '--url', 'http://dashboard.test'], {
    out: (line) => lines.push(line),
    fetch: () => Promise.resolve(Response.json(answer.body, { status: answer.status })),
    err: () => undefined,
    env: { SWITCHYARD_TOKEN: 'syd_test' },
    now: () => 0,
    sleep: () => Promise.resolve(),
    abortAfter: () => new AbortController().signal,
  });
  return { code, lines };
}

const instance = (service: string, id: string) => ({
  id,
  service,
  key: `/services/${service}/${id}`,
  address: '127.0.0.1:1',
  format: 'native',
  metadata: {},
  status: 'passing',
  drain: { by: 'ci', reason: 'deploy', at: new Date(0).toISOString() },
});

// Control characters the terminal would act on; the printed text must carry none of them.
// eslint-disable-next-line no-control-regex -- the assertion is about control characters
const ACTIVE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('drain CLI output', () => {
  it('prints a server message quoting hostile names as one escaped line', async () => {
    const message = 'evil\x1b[2J\x1b]0;owned\x07/i-1\nsucceeded: drained everything \u202eexe.png is already drained';
    const { code, lines } = await printed(['drain', 'evil/i-1', '--reason', 'x'], { status: 409, body: { error: { code: 'already_drained', message } } });
    expect(code).toBe(EXIT.refused);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(ACTIVE);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toBe('switchyard: evil\\x1b[2J\\x1b]0;owned\\x07/i-1\\x0asucceeded: drained everything \\u202eexe.png is already drained');
  });

  it('escapes control characters in the names it echoes', async () => {
    const service = 'pay\x1b[31mments';
    const { code, lines } = await printed(['drain', `${service}/i\r-1`, '--reason', 'x'], { status: 200, body: instance(service, 'i\r-1') });
    expect(code).toBe(EXIT.ok);
    expect(lines).toEqual(['drained pay\\x1b[31mments/i\\x0d-1']);
  });

  it('keeps the usage text on its lines', async () => {
    const { code, lines } = await printed(['--help'], { status: 200, body: {} });
    expect(code).toBe(EXIT.ok);
    expect(lines[0]?.split('\n').length).toBeGreaterThan(5);
    expect(lines[0]).not.toContain('\\x0a');
  });
});
