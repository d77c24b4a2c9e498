import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
/** setpriv's exit code when the command it should execute is not there (as a shell's). */
export const SETPRIV_CANNOT_EXECUTE = 127;

/**
 * The command that runs `file args` with SIGTERM as its parent-death signal: util-linux's `setpriv`
 * sets it (Linux's PR_SET_PDEATHSIG) and then executes the command in its place, same pid, so the
 * kernel signals the child when the thread that spawned it (our main thread) ends, however this
 * process ends — SIGKILL and the OOM killer included, where no handler of ours runs. `launcher` says
 * whether setpriv stands in front; without `/usr/bin/setpriv` the command is returned as it is.
 */
export function withParentDeathSignal(file: string, args: readonly string[]): { file: string; args: string[]; launcher: boolean } {
  if (!existsSync(SETPRIV)) return { file, args: [...args], launcher: false };
  return { file: SETPRIV, args: ['--pdeathsig', 'SIGTERM', '--', file, ...args], launcher: true };
}
