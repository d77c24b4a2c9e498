import { readFileSync } from 'node:fs';

/** What `/proc/<pid>/stat` says of a process: its state letter and process group; undefined once it is gone. */
export function processStat(pid: number): { state: string; group: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')' (state, ppid, pgrp, …).
  const [state = '', , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, group: Number(group) };
}

/** A live process: not gone, and not a zombie (where nothing reaps orphans, an ended one stays as state Z). */
export function isRunning(pid: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
