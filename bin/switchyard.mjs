#!/usr/bin/env node
// `npx switchyard …`: the drain CLI for deploy pipelines (cli/main.ts), run through tsx.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
const code = await run(process.argv.slice(2), {
  out: (line) => console.log(line),
  fetch,
  env: process.env,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
process.exit(code);
