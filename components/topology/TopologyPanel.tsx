'use client';

import { Fragment, useEffect, useRef, type ReactNode } from 'react';
import Link from 'next/link';
import type { Instance, Service } from '@/lib/model/instance';
import type { InstanceLatency } from '@/lib/model/latency';
import { compareStatusWorstFirst } from '@/lib/model/health';
import { edgeSlowCause, type TopologyEdge, type TopologyNode } from '@/lib/model/topology/topology';
import type { GroupSummary } from '@/lib/model/topology/group';
import { utcClock } from '@/lib/model/status/clock';
import { STAND_IN_WORDS, standInKind } from '@/lib/model/status/lost';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { describeOrigin, RECOVERY_RESIDUE_MS, type ProbableOrigin } from '@/lib/model/topology/graph';
import { MAX_HOPS } from '@/lib/model/topology/view';
import { distinguishingTail } from '@/lib/model/middle-ellipsis';
import { servicePath } from '@/lib/client/routes';
import { CopyableText } from '../ui/CopyButton';
import { MiddleTruncate } from '../ui/MiddleTruncate';
import { titleIfCut } from '../ui/title-if-cut';
import { useInstancesLatency } from '@/lib/client/useLatency';
import { TRAFFIC_WINDOW_SECONDS } from '@/lib/model/status/combine';
import { instanceRecentTraffic } from '@/lib/model/status/recent-traffic';
import { answeredSinceProbeFailed, recentCallsText, rowProbe } from '../instances/probe-figures';
import { StatusBadge, STATUS_LABELS } from '../ui/StatusBadge';
import { StatusIcon } from '../ui/StatusIcon';
import { edgeErrors, formatRate, formatRps, nodeCalledText } from './flow';
import { serverNow } from '@/lib/client/serverClock';
import { useBefore } from '@/lib/client/useBefore';
import { flappingUntilMs } from '@/lib/model/status/flapping';
import { FLAPPING_MEANING } from '../ui/FlappingMark';

/**
 * Drain controls for one instance, rendered in its row of the panel. The drain feature provides
 * it (POST/DELETE `/api/v1/services/{service}/instances/{id}/drain`); until then the slot is empty.
 */
export type DrainControlsSlot = (instance: Instance) => ReactNode;

const KIND_LABELS: Record<TopologyNode['kind'], string> = {
  service: 'Service',
  database: 'Database',
  cache: 'Cache',
  queue: 'Queue',
  unknown: 'Not registered',
};

/**
 * An edge's windows still holding errors from before its callee's recovery, said in words: the callee
 * is green from its `recoveredAt` (the moment its incident and alerts end too), this edge only once
 * its last 10 s of calls are clean.
 */
function ClearingNote({ edge, callee }: { edge: TopologyEdge; callee: TopologyNode | undefined }) {
  const local = useLocalTimes();
  const recoveredAt = callee?.status === 'passing' ? callee.recoveredAt : undefined;
  if (recoveredAt === undefined || edgeErrors(edge) === null || serverNow() - Date.parse(recoveredAt) > RECOVERY_RESIDUE_MS) return null;
  return (
    <span className="tpanel__clearing">
      {edge.to} recovered at {local(utcClock(recoveredAt), recoveredAt)}; these windows still count calls from before that, and the edge stays red until its last 10 s of calls
      are clean.
    </span>
  );
}

function EdgeStatsText({ edge, callee }: { edge: TopologyEdge; callee: TopologyNode | undefined }) {
  if (edge.rps === undefined) return <span className="muted">declared, no calls in the last minute</span>;
  // Held after its calls stopped (the store's hold): a callee that hangs reports no calls.
  if (edge.rps === 0) return <span className="muted">no calls in the last minute; called lately</span>;
  const slow = edgeSlowCause(edge);
  return (
    <span className="mono">
      {formatRps(edge.rps)}
      {edge.errorRate !== undefined && edge.errorRate > 0 && (
        <span className="tpanel__errors">
          {' '}
          · {formatRate(edge.errorRate)} errors (1 min)
          {/* Both windows, so the map's label (the worse one, `edgeErrors`) is always one of them. */}
          {edge.recentCalls !== undefined && edge.recentCalls > 0 && `, ${formatRate((edge.recentErrors ?? 0) / edge.recentCalls)} (30 s)`}
        </span>
      )}
      {edge.p95Ms !== undefined && <span className="muted"> · p95 {edge.p95Ms < 10 ? edge.p95Ms.toFixed(1) : Math.round(edge.p95Ms)} ms</span>}
      {slow !== null && <span className="tpanel__errors"> · slow: {slow}</span>}
      <ClearingNote edge={edge} callee={callee} />
    </span>
  );
}

function EdgeList({
  title,
  edges,
  other,
  nodeById,
  onSelect,
}: {
  title: string;
  edges: TopologyEdge[];
  other: (edge: TopologyEdge) => string;
  nodeById: ReadonlyMap<string, TopologyNode>;
  onSelect(name: string): void;
}) {
  return (
    <section className="tpanel__section">
      <h3 className="tpanel__heading">
        {title} <span className="muted">({edges.length})</span>
      </h3>
      {edges.length === 0 ? (
        <p className="muted">none known</p>
      ) : (
        <ul className="tpanel__list">
          {edges.map((edge) => {
            const name = other(edge);
            const node = nodeById.get(name);
            return (
              <li key={`${edge.from}\u0000${edge.to}`} className="tpanel__edge">
                <button type="button" className="tpanel__link" onClick={() => onSelect(name)}>
                  {node && (
                    <span className={`status--${node.status}`} title={STATUS_LABELS[node.status]}>
                      <StatusIcon status={node.status} />
                    </span>
                  )}
                  <span className="truncate">{name}</span>
                </button>
                <span className="tpanel__sources" title={edge.sources.includes('declared') ? 'declared in the registration' : 'seen in call statistics only'}>
                  {edge.sources.join(' + ')}
                </span>
                <EdgeStatsText edge={edge} callee={nodeById.get(edge.to)} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/**
 * "43 % errors · p95 180 ms" over the last 30 s of reported calls, or nothing without calls, and
 * nothing reassuring of a lost instance (no calls reach a dead process, so its window holds its last
 * healthy seconds: "no errors · p95 52 ms" under a service at 35 % errors) or of one whose probe
 * fails while its calls are no longer answered (components/instances/probe-figures.ts, as the instance row).
 */
function recentText(instance: Instance, latency: InstanceLatency | undefined, stepSeconds: number): string | null {
  if (!latency) return null;
  const probe = rowProbe(instance.lastProbe, latency.probe, stepSeconds);
  const state = { lost: instance.lost !== undefined, probeFailing: probe !== null && !probe.ok && !answeredSinceProbeFailed(latency, probe) };
  return recentCallsText(instanceRecentTraffic(latency, TRAFFIC_WINDOW_SECONDS, stepSeconds), state, true);
}

function InstanceTraffic({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <span className="truncate muted tpanel__traffic" title={`Reported calls over the last ${TRAFFIC_WINDOW_SECONDS} s`}>
      {text}
    </span>
  );
}

/** A stand-in's chip in the panel's instance list, titled with its cause: the service header's words, whole (the panel has the room). */
export function PanelStandInChip({ lost, title }: { lost: NonNullable<Instance['lost']>; title: string }) {
  return (
    // Gone (restart it), still serving out of discovery (fix its etcd connection), or not known yet: never the same word.
    <span className={`tnode__chip tnode__chip--${standInKind(lost)}`} title={title}>
      {STAND_IN_WORDS[standInKind(lost)]}
    </span>
  );
}

/** "flapping" in the panel, as on the node, until `untilMs` (the flap's end; one timer, no render per second). */
function PanelFlappingChip({ untilMs, more }: { untilMs: number | undefined; more: string }) {
  const flapping = useBefore(untilMs !== undefined && Number.isFinite(untilMs) ? untilMs : null);
  if (!flapping) return null;
  return (
    <span className="tnode__chip tnode__chip--flapping" title={`${FLAPPING_MEANING}. ${more}`}>
      flapping
    </span>
  );
}

function InstanceList({ service, instances, drainControls }: { service: string; instances: Instance[]; drainControls?: DrainControlsSlot }) {
  const traffic = useInstancesLatency(service, '5m');
  const local = useLocalTimes();
  const byKey = new Map((traffic.data?.instances ?? []).map((latency) => [latency.key, latency]));
  const stepSeconds = traffic.data?.stepSeconds ?? 1;
  const sorted = [...instances].sort((a, b) => compareStatusWorstFirst(a.status, b.status) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const idTail = distinguishingTail(instances.map((instance) => instance.id));
  return (
    <section className="tpanel__section">
      <h3 className="tpanel__heading">
        Instances <span className="muted">({instances.length})</span>
      </h3>
      <table className="tpanel__instances">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col" className="tpanel__status-column">
              Status
            </th>
            {drainControls && (
              <th scope="col" className="tpanel__drain-column">
                Drain
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {sorted.map((instance) => (
            <tr key={instance.key}>
              <td>
                <MiddleTruncate text={instance.id} tail={idTail} className="mono tpanel__instance-id" />
                <span className="tpanel__instance-where mono muted">
                  <CopyableText text={instance.address} label={`address of ${instance.id}`} />
                  {instance.zone && (
                    <>
                      {' '}
                      {/* The dot with it, held by a no-break space: a line broken before the zone does not end in a dangling "·", nor begin the zone with one alone. */}
                      <span className="zone-name" onPointerEnter={(event) => titleIfCut(event.currentTarget, instance.zone)}>
                        ·{'\u00a0'}
                        {instance.zone}
                      </span>
                    </>
                  )}
                </span>
                <InstanceTraffic text={recentText(instance, byKey.get(instance.key), stepSeconds)} />
              </td>
              {/* A stand-in has no drain button: its chip takes the Drain column's room too. */}
              <td colSpan={drainControls && instance.lost ? 2 : undefined}>
                <StatusBadge status={instance.status} title={instance.statusCause === undefined ? undefined : local(instance.statusCause, instance.statusSince)} />
                {instance.status !== 'passing' && instance.statusCause && !instance.lost && <span className="tpanel__cause">{local(instance.statusCause, instance.statusSince)}</span>}
                {instance.lost && <PanelStandInChip lost={instance.lost} title={local(instance.lost.cause, instance.lost.at)} />}
                <PanelFlappingChip untilMs={flappingUntilMs(instance.criticalChangesMs)} more="Its service page counts its changes." />
                {instance.drain && (
                  <span className="tnode__chip tnode__chip--drained" title={`Drained by ${instance.drain.by}: ${instance.drain.reason}`}>
                    drained
                  </span>
                )}
              </td>
              {drainControls && !instance.lost && <td>{drainControls(instance)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export interface TopologyPanelProps {
  node?: TopologyNode;
  service?: Service;
  group?: { summary: GroupSummary; collapsed: boolean; mode: string };
  nodeById: ReadonlyMap<string, TopologyNode>;
  edgesIn: TopologyEdge[];
  edgesOut: TopologyEdge[];
  /** This node is a probable origin. */
  origin?: ProbableOrigin;
  /** This node fails probably because of these origins. */
  causedBy: ProbableOrigin[];
  focus: { id: string; hops: number };
  onFocus(id: string, hops: number): void;
  onSelect(name: string): void;
  onToggleGroup(key: string): void;
  onClose(): void;
  /** The drain feature's controls per instance (see DrainControlsSlot). */
  drainControls?: DrainControlsSlot;
}

/** The side panel for the selected node or group. Escape closes it. */
export function TopologyPanel(props: TopologyPanelProps) {
  const { node, service, group, nodeById, edgesIn, edgesOut, origin, causedBy, focus, onFocus, onSelect, onToggleGroup, onClose, drainControls } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const local = useLocalTimes();
  const title = node?.id ?? group?.summary.key ?? '';
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [title]);

  return (
    <aside
      className="tpanel"
      aria-labelledby="tpanel-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="tpanel__header">
        <div className="tpanel__titles">
          <p className="tpanel__kind">{node ? KIND_LABELS[node.kind] : `${group?.mode === 'zone' ? 'Zone' : 'Namespace'} group`}</p>
          <h2 className="tpanel__title truncate" id="tpanel-title" tabIndex={-1} ref={heading} title={title}>
            {title}
          </h2>
        </div>
        <button type="button" className="icon-button" aria-label="Close panel" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </header>

      {node && (
        <>
          <div className="tpanel__summary">
            <StatusBadge status={node.status} />
            {node.kind === 'service' && <PanelFlappingChip untilMs={node.flappingUntil === undefined ? undefined : Date.parse(node.flappingUntil)} more="Its instances below say which." />}
            {node.kind === 'service' ? (
              <span>
                {node.instances} {node.instances === 1 ? 'instance' : 'instances'}
                {node.drained > 0 && <span className="tnode__chip tnode__chip--drained">{node.drained} drained</span>}
              </span>
            ) : (
              <span className="muted">{node.status === 'unknown' ? 'no calls observed in the last minute' : 'status from the calls made to it'}</span>
            )}
          </div>
          {node.cause && node.status !== 'passing' && (
            <p className={`service-cause service-cause--${node.status}`} role="status">
              {local(node.cause)}
            </p>
          )}
          {origin && (
            // Recovered, muted as the services list's and the map's "was origin" mark: not a current failure.
            <div className={origin.recoveredAt !== undefined ? 'tpanel__origin tpanel__origin--recovered' : 'tpanel__origin'} role="note">
              <p>
                <strong>{origin.recoveredAt !== undefined ? 'Was the likely origin.' : 'Likely origin.'}</strong> {local(describeOrigin(origin), origin.recoveredAt)}.
              </p>
              <p className="tpanel__origin-list">
                {origin.recoveredAt !== undefined ? 'Still clearing its errors:' : 'Failing because of it:'}{' '}
                {origin.explains.map((name, i) => (
                  <span key={name}>
                    {i > 0 && ', '}
                    <button type="button" className="tpanel__inline-link" onClick={() => onSelect(name)}>
                      {name}
                    </button>
                  </span>
                ))}
              </p>
            </div>
          )}
          {!origin && causedBy.length > 0 && (
            <div className="tpanel__origin tpanel__origin--caused" role="note">
              <p>
                Probably failing because of{' '}
                {causedBy.map((cause, i) => (
                  <span key={cause.id}>
                    {i > 0 && ', '}
                    <button type="button" className="tpanel__inline-link" onClick={() => onSelect(cause.id)}>
                      {cause.id}
                    </button>
                  </span>
                ))}{' '}
                {causedBy.length === 1 && causedBy[0]?.recoveredAt !== undefined
                  ? `(likely origin, recovered at ${local(utcClock(causedBy[0].recoveredAt), causedBy[0].recoveredAt)}; this one is still clearing its errors).`
                  : '(likely origin).'}
              </p>
            </div>
          )}
          <dl className="tpanel__facts">
            {node.zones.length > 0 && (
              <div>
                <dt>Zones</dt>
                <dd>
                  {node.zones.map((zone, i) => (
                    <Fragment key={zone}>
                      {i > 0 && ', '}
                      <bdi className="zone-name" onPointerEnter={(event) => titleIfCut(event.currentTarget, zone)}>
                        {zone}
                      </bdi>
                    </Fragment>
                  ))}
                </dd>
              </div>
            )}
            {node.formats.length > 0 && (
              <div>
                <dt>Registered as</dt>
                <dd>{node.formats.join(', ')}</dd>
              </div>
            )}
            {node.inboundRps !== undefined && (
              <div>
                <dt>Called</dt>
                <dd>{nodeCalledText(node)}</dd>
              </div>
            )}
          </dl>
          <div className="tpanel__actions">
            {node.kind === 'service' && (
              <Link className="button" href={servicePath(node.id)}>
                Open service page →
              </Link>
            )}
            {focus.id === node.id ? (
              <button type="button" className="button" onClick={() => onFocus('', focus.hops)}>
                Exit focus
              </button>
            ) : (
              <button type="button" className="button" onClick={() => onFocus(node.id, focus.hops)}>
                Focus (±{focus.hops} {focus.hops === 1 ? 'hop' : 'hops'})
              </button>
            )}
            {focus.id === node.id && (
              <label className="select select--small">
                <span className="visually-hidden">Hops</span>
                <select value={focus.hops} onChange={(event) => onFocus(node.id, Number(event.target.value))}>
                  {Array.from({ length: MAX_HOPS }, (_, i) => i + 1).map((hops) => (
                    <option key={hops} value={hops}>
                      ±{hops} {hops === 1 ? 'hop' : 'hops'}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <EdgeList title="Depends on" edges={edgesOut} other={(edge) => edge.to} nodeById={nodeById} onSelect={onSelect} />
          <EdgeList title="Called by" edges={edgesIn} other={(edge) => edge.from} nodeById={nodeById} onSelect={onSelect} />
          {service && <InstanceList service={service.name} instances={service.instances} drainControls={drainControls} />}
        </>
      )}

      {group && !node && (
        <>
          <div className="tpanel__summary">
            <StatusBadge status={group.summary.status} />
            <span>
              {group.summary.members.length} services · {group.summary.instances} instances
              {group.summary.drained > 0 && <span className="tnode__chip tnode__chip--drained">{group.summary.drained} drained</span>}
            </span>
          </div>
          <div className="tpanel__actions">
            <button type="button" className="button" onClick={() => onToggleGroup(group.summary.key)}>
              {group.collapsed ? 'Expand group' : 'Collapse group'}
            </button>
          </div>
          <section className="tpanel__section">
            <h3 className="tpanel__heading">Services</h3>
            <ul className="tpanel__list">
              {[...group.summary.members]
                .map((name) => nodeById.get(name))
                .filter((member): member is TopologyNode => member !== undefined)
                .sort((a, b) => compareStatusWorstFirst(a.status, b.status) || (a.id < b.id ? -1 : 1))
                .map((member) => (
                  <li key={member.id} className="tpanel__edge">
                    <button type="button" className="tpanel__link" onClick={() => onSelect(member.id)}>
                      <span className={`status--${member.status}`}>
                        <StatusIcon status={member.status} />
                      </span>
                      <span className="truncate">{member.id}</span>
                    </button>
                    <span className="muted">{STATUS_LABELS[member.status]}</span>
                  </li>
                ))}
            </ul>
          </section>
        </>
      )}
    </aside>
  );
}
