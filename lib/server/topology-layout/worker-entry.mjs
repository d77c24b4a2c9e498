// The layout worker's entry: worker threads do not inherit the server's tsx loader (Node 20), so
// this plain module registers tsx in the worker before loading the TypeScript worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
