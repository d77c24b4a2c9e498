import type { AlertView } from './engine';
import type { Silence } from './silences';

export type Channel = 'alertmanager' | 'webhook';

export interface DeliveryTarget {
  channel: Channel;
  /** Without credentials. */
  url: string;
  /** The last attempt succeeded (or none was needed yet). */
  ok: boolean;
  /** Failed attempts in a row. */
  failures: number;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastError?: string;
  /** Notifications waiting (webhook only). */
  queued?: number;
}

export interface DeliveryFailure {
  at: string;
  channel: Channel;
  url: string;
  error: string;
}

/** `GET /api/v1/alerts`. */
export interface AlertsSnapshot {
  alerts: AlertView[];
  resolved: AlertView[];
  silences: Silence[];
  delivery: { targets: DeliveryTarget[]; failures: DeliveryFailure[] };
}
