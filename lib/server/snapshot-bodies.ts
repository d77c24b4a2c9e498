import { noStore } from './http';

const bodies = new WeakMap<object, Map<string, string>>();

/**
 * A JSON answer built from one store snapshot, encoded once for as long as that snapshot is the
 * store's current one (the store keeps one object per change: store.ts `snapshot()`). A whole-fleet
 * answer at 10,000 instances is 1.5–3 MB and 20–300 ms to build: ten viewers or Prometheus servers
 * asking together held the event loop ~2 s when each request built its own.
 */
export function snapshotJson(snapshot: object, what: string, build: () => unknown): Response {
  let built = bodies.get(snapshot);
  if (!built) {
    built = new Map();
    bodies.set(snapshot, built);
  }
  let text = built.get(what);
  if (text === undefined) {
    text = JSON.stringify(build());
    built.set(what, text);
  }
  return new Response(text, { headers: { ...noStore, 'content-type': 'application/json' } });
}
