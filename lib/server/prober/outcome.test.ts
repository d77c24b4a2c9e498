import { describe, expect, it } from 'vitest';
import { deniedError } from './causes';
import { failedOn } from './outcome';

describe('failedOn', () => {
  it('marks a target the probe policy refused (at its DNS answer too) as not probed, with the reason as its error', () => {
    expect(failedOn(deniedError('127.0.0.3/32'))).toEqual({ ok: false, error: 'address denied by probe policy (127.0.0.3/32)', notProbed: true });
  });

  it('keeps any other failure a failed probe', () => {
    expect(failedOn(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toEqual({ ok: false, error: 'connection refused' });
  });
});
