import type { Alerting } from './alerts/service';
import type { ApiAdmission } from './api-admission/admission';
import type { CheckedVisitors } from './auth/checked-visitors';
import type { OidcFlow } from './auth/oidc-flow';
import type { Auth } from './auth/service';
import type { BodyReception } from './body-reception';
import type { Config } from './config';
import type { DatabaseOutage } from './database-outage';
import type { DrainService } from './drain';
import type { History } from './history/store';
import type { LostTracker } from './lost/tracker';
import type { Metrics } from './metrics';
import type { MetricsStore } from './metrics-store/store';
import type { OtlpIntake } from './otlp/intake';
import type { Registry } from './registry/sync';
import type { StoreView } from './store/store';
import type { TopologyLayoutCache } from './topology-layout/cache';

/** Everything a route handler or page may use. Only types are imported here, so Next bundles nothing heavy. */
export interface Runtime {
  /** Validated settings (public URL and cookie security for the auth routes). */
  config: Config;
  /** The etcd this server reads: ETCD_ENDPOINTS, or the endpoint of the local etcd it started without them. */
  etcdEndpoints: readonly string[];
  /** The registry view: snapshot, instances and sync status. */
  store: StoreView;
  /** The etcd watch: its diagnostics (keys seen, unrecognised prefixes). */
  registry: Registry;
  /** Prometheus metrics (`GET /metrics`). */
  metrics: Metrics;
  /** Call and probe latency series (ingest, charts, topology edges). */
  latency: MetricsStore;
  /** OpenTelemetry intake (`POST /v1/metrics`): cumulative streams, external nodes, the in-flight limit. */
  otlp: OtlpIntake;
  /** The durable event log (failure history). */
  history: History;
  /** Drain and undrain: etcd transactions on the control prefix. */
  drains: DrainService;
  /** Lost instances: dismissal by an operator. */
  lost: Pick<LostTracker, 'dismiss'>;
  /** Users, sessions and API tokens. */
  auth: Auth;
  /** Page requests whose credentials server.ts checked during a database outage, for the page to reuse. */
  checkedVisitors: CheckedVisitors;
  /** Whether requests find the database unreachable; logs each outage once. */
  database: DatabaseOutage;
  /** Places for the program endpoints' request bodies (ingest, OTLP), overall and per token. */
  bodies: BodyReception;
  /** The API's places, per client and in all: how many are taken and waiting, and how many were refused (Diagnostics). */
  apiAdmission: Pick<ApiAdmission, 'stats'>;
  /** Single sign-on through OpenID Connect (`enabled` false when not configured). */
  oidc: OidcFlow;
  /** The map's default view laid out on the server, shipped with the page (a first visit runs no layout). */
  topologyLayout: Pick<TopologyLayoutCache, 'current' | 'settled'>;
  /** Alerts: firing, suppressed, pending, recently resolved, and how delivery goes. */
  alerts: Pick<Alerting, 'snapshot' | 'silence' | 'findSilence' | 'unsilence' | 'acknowledge' | 'findAck' | 'unacknowledge'>;
}

// Next bundles route handlers apart from server.ts (next.js #55660), so module state is not shared:
// the runtime is published once on globalThis under a registered Symbol.
const RUNTIME = Symbol.for('switchyard.runtime');
type Holder = { [RUNTIME]?: Runtime };

export function publishRuntime(runtime: Runtime | undefined): void {
  (globalThis as Holder)[RUNTIME] = runtime;
}

export function getRuntime(): Runtime {
  const runtime = (globalThis as Holder)[RUNTIME];
  if (!runtime) throw new Error('Switchyard runtime is not running (start the app with server.ts)');
  return runtime;
}
