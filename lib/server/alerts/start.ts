import type { Config } from '../config';
import { installIdReader } from '../history/install-id';
import type { History } from '../history/store';
import type { Metrics } from '../metrics';
import type { MetricsStore } from '../metrics-store/store';
import type { StoreView } from '../store/store';
import { createAckStore } from './ack-store';
import { createAlerting, type Alerting } from './service';
import { createSilenceStore } from './silence-store';

/** A service's latest alert rows a new leader reads: its few alert names' last transitions are among them. */
const RECORDED_ALERT_ROWS = 200;

/** Alerting as the runtime wires it, from the configuration (README "Alerts"). */
export function startAlerting(deps: { config: Config; store: Pick<StoreView, 'summarySnapshot' | 'serviceSnapshot' | 'registryStatus'>; latency: Pick<MetricsStore, 'edges'>; history: Pick<History, 'append' | 'db' | 'dialect' | 'query'>; metrics: Metrics; log: (message: string) => void; delivers: () => boolean }): Alerting {
  const { config } = deps;
  return createAlerting({
    fleet: deps.store,
    edges: () => deps.latency.edges(),
    rules: config.SWITCHYARD_ALERT_RULES,
    publicUrl: config.SWITCHYARD_PUBLIC_URL ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`,
    alertmanagerUrls: config.SWITCHYARD_ALERTMANAGER_URL ?? [],
    webhook: config.SWITCHYARD_ALERT_WEBHOOK_URL
      ? { url: config.SWITCHYARD_ALERT_WEBHOOK_URL, secret: config.SWITCHYARD_ALERT_WEBHOOK_SECRET, format: config.SWITCHYARD_ALERT_WEBHOOK_FORMAT }
      : undefined,
    evaluationMs: config.SWITCHYARD_ALERT_EVALUATION_MS,
    resendMs: config.SWITCHYARD_ALERT_RESEND_SECONDS * 1_000,
    timeoutMs: config.SWITCHYARD_ALERT_TIMEOUT_MS,
    queueSize: config.SWITCHYARD_ALERT_QUEUE_SIZE,
    record: (event) => deps.history.append(event),
    recordedAlerts: async (service) => (await deps.history.query({ service, kind: ['alert.fired', 'alert.resolved'], limit: RECORDED_ALERT_ROWS })).events,
    silences: createSilenceStore(deps.history.db, deps.history.dialect),
    acks: createAckStore(deps.history.db),
    installId: installIdReader(deps.history.db),
    metrics: deps.metrics.registry,
    delivers: deps.delivers,
    log: deps.log,
  });
}
