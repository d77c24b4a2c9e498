import { BoundedMap } from '@/lib/model/bounded-map';
import { edgeKey, instanceKey, serviceKey } from './series-key';

/** The series one reported call feeds: its callee's, its callee instance's (when named) and the caller → callee edge's. */
export interface CallKeys {
  service: string;
  instance: string | undefined;
  edge: string;
}

interface Remembered extends CallKeys {
  to: string;
  toInstance: string | undefined;
}

export const callKeysOf = (from: string, to: string, toInstance: string | undefined): CallKeys => ({
  service: serviceKey(to),
  instance: toInstance ? instanceKey(to, toInstance) : undefined,
  edge: edgeKey(from, to),
});

/** Reporters whose calls' keys are remembered, and calls of a batch remembered per reporter: ~6 MB at most. */
export const MAX_REMEMBERED_REPORTERS = 256;
export const MAX_REMEMBERED_CALLS = 100;

/**
 * The keys of a reporter's calls, remembered by their position in its batch: a reporter sends the
 * same callees in the same order every few seconds, and building three keys a call, then hashing
 * them to find their series, was a third of the store's work on a batch. The same key strings
 * each time find their series at once (V8 keeps a string's hash, and a Map compares the very
 * string it holds first). A call that differs from the remembered one is keyed afresh.
 */
export class CallKeyMemory {
  readonly #byReporter = new BoundedMap<string, Remembered[]>(MAX_REMEMBERED_REPORTERS);

  /** The keys of call `position` of a batch from `from`. */
  keys(from: string, calls: Remembered[] | undefined, position: number, to: string, toInstance: string | undefined): CallKeys {
    const known = calls?.[position];
    if (known && known.to === to && known.toInstance === toInstance) return known;
    const keys = callKeysOf(from, to, toInstance);
    if (calls && position < MAX_REMEMBERED_CALLS) calls[position] = { ...keys, to, toInstance };
    return keys;
  }

  /** The remembered calls of one reporter, to pass to `keys` for each call of its batch. */
  reporter(from: string): Remembered[] {
    const known = this.#byReporter.get(from);
    if (known) return known;
    const calls: Remembered[] = [];
    this.#byReporter.set(from, calls);
    return calls;
  }

  /** Reporters remembered (tests). */
  get reporters(): number {
    return this.#byReporter.size;
  }
}
