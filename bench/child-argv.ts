/**
 * Node options for a benchmark's child process (the product's runtime or prober). With
 * BENCH_CPU_PROFILE_DIR=dir each child writes a V8 CPU profile there (open it in Chrome DevTools).
 */
export function childExecArgv(): string[] {
  const profiles = process.env.BENCH_CPU_PROFILE_DIR;
  return ['--import', 'tsx', ...(profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [])];
}
