import { DENIED_CODE, networkCause } from './causes';

/** What one probe found, before the runner adds when it started and how long it took. */
export interface ProbeOutcome {
  ok: boolean;
  error?: string;
  /** First bytes of a failing response, as one line of text. */
  detail?: string;
  /** The probe policy refused the target (`error` says why): nothing was dialled. */
  notProbed?: true;
}

export const passed: ProbeOutcome = { ok: true };

export const failed = (error: string, detail?: string): ProbeOutcome => ({ ok: false, error, ...(detail ? { detail } : {}) });

export const notProbed = (error: string): ProbeOutcome => ({ ok: false, error, notProbed: true });

/** A connection or exchange that failed; one the probe policy refused (a name resolving to a denied address) was not probed at all. */
export const failedOn = (error: unknown): ProbeOutcome =>
  (error as NodeJS.ErrnoException | undefined)?.code === DENIED_CODE ? notProbed(networkCause(error)) : failed(networkCause(error));
