import type { EventKind } from '@/lib/model/events';

const PATHS: Record<EventKind, string> = {
  'instance.registered': 'M6 3.2v5.6M3.2 6h5.6',
  'instance.deregistered': 'M3.2 6h5.6',
  'health.changed': 'M0.8 6.5h2.4l1.4-3.6 2.2 6.4 1.5-2.8h2.9',
  'instance.lost': 'M6 3v3.6M6 8.4v.6',
  'instance.lost_cleared': 'M3.4 6.2 5.2 8l3.4-3.8',
  'instance.drained': 'M4.3 3.2v5.6M7.7 3.2v5.6',
  'instance.undrained': 'M4.4 3.2 8.8 6l-4.4 2.8Z',
  'registry.disconnected': 'M4.6 7.4 3.5 8.5a1.6 1.6 0 0 1-2.3-2.3l1.7-1.7M7.4 4.6l1.1-1.1a1.6 1.6 0 0 1 2.3 2.3L9.1 7.5M1.5 1.5l9 9',
  'registry.reconnected': 'M5 7 7 5M5.4 3.8l1.4-1.4a1.9 1.9 0 0 1 2.8 2.8L8.2 6.6M6.6 8.2 5.2 9.6a1.9 1.9 0 0 1-2.8-2.8l1.4-1.4',
  'registry.resynced': 'M9.8 6A3.8 3.8 0 1 1 8.7 3.3M9.6 1.4v2.4H7.2',
  'history.gap': 'M1 6h1.6M5.2 6h1.6M9.4 6H11',
  'auth.login': 'M4.5 2.5H9.5v7H4.5M1.5 6h5M5 4.2 6.8 6 5 7.8',
  'auth.login_failed': 'M2.5 2.5l7 7M9.5 2.5l-7 7',
  'auth.locked': 'M3 5.5h6v4.5H3ZM4.2 5.5V4a1.8 1.8 0 0 1 3.6 0v1.5',
  'auth.logout': 'M7.5 2.5H2.5v7h5M5.5 6h5M9 4.2 10.8 6 9 7.8',
  'auth.user_changed': 'M6 5.5a1.8 1.8 0 1 0 0-3.6 1.8 1.8 0 0 0 0 3.6ZM2.5 10.5a3.5 3.5 0 0 1 7 0',
  'auth.token_created': 'M4 7.5a2 2 0 1 1 0-.1M6 7.5h4.5M9 7.5v1.5',
  'auth.token_revoked': 'M4 7.5a2 2 0 1 1 0-.1M6 7.5h4.5M7 2l3.5 3.5',
  'alert.fired': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM5 10.5h2',
  'alert.resolved': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM4.6 6.2l1 1 1.8-2',
  'alert.suppressed': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM1.5 1.5l9 9',
  'alert.delivery_failed': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM6 4.5v2M6 7.6v.2',
  'alert.silenced': 'M2 4.5h2l3-2.5v8L4 7.5H2ZM8.5 4.5l2 3M10.5 4.5l-2 3',
  'alert.silence_ended': 'M2 4.5h2l3-2.5v8L4 7.5H2ZM8.5 4.2a2.5 2.5 0 0 1 0 3.6',
  'alert.acknowledged': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM4 10.5h4',
  'alert.unacknowledged': 'M3 8.5V6a3 3 0 0 1 6 0v2.5l1 1H2ZM4.5 5.5h3',
};

/** Instance-level kinds sit in a circle; registry-level ones stand alone: a second cue besides the glyph. */
const CIRCLED = new Set<EventKind>(['instance.registered', 'instance.deregistered', 'instance.lost', 'instance.lost_cleared', 'instance.drained', 'instance.undrained']);

/** A distinct glyph per event kind (always shown with its label: never colour alone). */
export function KindIcon({ kind }: { kind: EventKind }) {
  return (
    <svg className="kind-icon" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
      {CIRCLED.has(kind) && <circle cx="6" cy="6" r="5.2" />}
      <path d={PATHS[kind]} className={kind === 'instance.undrained' ? 'kind-icon__fill' : undefined} />
    </svg>
  );
}
