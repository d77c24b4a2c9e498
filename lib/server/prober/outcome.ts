/** What one probe found, before the runner adds when it started and how long it took. */
export interface ProbeOutcome {
  ok: boolean;
  error?: string;
  /** First bytes of a failing response, as one line of text. */
  detail?: string;
}

export const passed: ProbeOutcome = { ok: true };

export const failed = (error: string, detail?: string): ProbeOutcome => ({ ok: false, error, ...(detail ? { detail } : {}) });
