#!/usr/bin/env node
// `npx switchyard …`: the drain CLI for deploy pipelines (cli/main.ts), run through tsx.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The checkout's tsconfig (its `@/` paths), not one found from the working directory: a pipeline runs this from its own.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { run } = await import('../cli/main.ts');
const code = await run(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  fetch,
  env: process.env,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  abortAfter: (ms) => globalThis.AbortSignal.timeout(ms),
});
process.exit(code);
