/** Exit codes (documented in the usage text and the README): pipelines branch on them. */
export const EXIT = { ok: 0, error: 1, usage: 2, refused: 3, timeout: 4, auth: 5 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
