import { describe, expect, it } from 'vitest';
import { connectErrorAction } from './connectRefusal';

describe('connectErrorAction', () => {
  it('signs in again when the credentials are refused', () => {
    expect(connectErrorAction({ message: 'unauthenticated' }, false)).toEqual({ kind: 'sign-in' });
  });

  it('retries a refusal for an unreachable database after the time the server gives, saying why', () => {
    const error = { message: 'database_unavailable', data: { message: 'the console’s database is unreachable; retry shortly', retryAfterSeconds: 5 } };
    expect(connectErrorAction(error, false)).toEqual({ kind: 'retry', afterMs: 5_000, problem: 'the console’s database is unreachable; retry shortly' });
  });

  it('retries any other refusal after 5 s, ignoring data it does not recognise', () => {
    expect(connectErrorAction({ message: 'internal', data: { retryAfterSeconds: 'soon' } }, false)).toEqual({ kind: 'retry', afterMs: 5_000, problem: null });
  });

  it('leaves a transport failure to Socket.IO, which is reconnecting already', () => {
    expect(connectErrorAction({ message: 'websocket error' }, true)).toEqual({ kind: 'wait' });
  });
});
