/**
 * Node options for a benchmark's child process (the product's runtime or prober). With
 * BENCH_CPU_PROFILE_DIR=dir each child writes a V8 CPU profile there (open it in Chrome DevTools).
 */
export function childExecArgv(): string[] {
  return ['--import', 'tsx', ...cpuProfileArgs()];
}

/** The profiling flags alone, for a child started by `startServer` (which adds the loader itself). */
export function cpuProfileArgs(): string[] {
  const profiles = process.env.BENCH_CPU_PROFILE_DIR;
  return profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [];
}
