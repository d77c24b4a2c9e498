import type { Generated } from 'kysely';

export interface EventsTable {
  id: Generated<number>;
  at_ms: number;
  kind: string;
  service: string | null;
  instance: string | null;
  from_state: string | null;
  to_state: string | null;
  actor: string | null;
  detail: string;
  until_ms: number | null;
  /** Unique when present: a replayed event (relist, restart) is ignored, not duplicated. */
  natural_key: string | null;
}

export interface RunsTable {
  id: Generated<number>;
  started_ms: number;
  alive_ms: number;
  stopped_ms: number | null;
}

export interface HistoryDatabase {
  events: EventsTable;
  runs: RunsTable;
}
