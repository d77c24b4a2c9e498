import type { DrainState } from '@/lib/model/drain';

/**
 * A distinct shape per drain state, so the state never depends on colour alone: an hourglass
 * while calls still arrive, solid pause bars once they stopped, hollow bars when nobody can tell.
 */
export function DrainIcon({ state }: { state: DrainState }) {
  return (
    <svg className={`drain-icon drain-icon--${state}`} viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
      {state === 'draining' && <path d="M1.8 0.8h6.4v1.6L5.9 5l2.3 2.6v1.6H1.8V7.6L4.1 5 1.8 2.4Z" />}
      {state === 'drained' && <path d="M2 1h2.2v8H2ZM5.8 1H8v8H5.8Z" />}
      {state === 'no-traffic-data' && <path d="M2.5 1.5h1.4v7H2.5ZM6.1 1.5h1.4v7H6.1Z" />}
    </svg>
  );
}
