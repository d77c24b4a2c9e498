/**
 * A list kept in the shared store (silences, acknowledgements), read again every evaluation so
 * another replica's change counts within one, and changed locally at once by this replica's own
 * actions. One read at a time: with a slow database, reads must not pile up one per evaluation.
 */
export function createSharedList<T>(read: () => Promise<T[]>, onError: (error: unknown) => void) {
  let items: T[] = [];
  /** Bumped by every local change: a read begun before it must not bring back what it changed. */
  let changes = 0;
  let reading = false;
  return {
    current: (): T[] => items,
    refresh(): void {
      if (reading) return;
      reading = true;
      const changesAtStart = changes;
      read()
        .then((fresh) => {
          if (changes === changesAtStart) items = fresh;
        })
        .catch(onError)
        .finally(() => (reading = false));
    },
    change(update: (current: T[]) => T[]): void {
      changes += 1;
      items = update(items);
    },
  };
}
