'use client';

import { createContext, memo, useContext } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { NodeKind } from '@/lib/model/topology/topology';
import { OriginMark } from '../ui/OriginMark';
import { StatusIcon } from '../ui/StatusIcon';
import { STATUS_LABELS } from '../ui/StatusBadge';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { utcClock } from '@/lib/model/status/clock';
import { useBeforeIso } from '@/lib/client/useBefore';
import { FLAPPING_MEANING } from '../ui/FlappingMark';
import { CHIP_FIT_SCALE, CHIP_LINE_PX, clusterMemberTexts, fitChips, fitClusterLine, isMemberFigure, moreChipText, type FitChip } from './chip-fit';
import { lostChips, type ClusterFlowNode, type FrameFlowNode, type ServiceFlowNode } from './flow';

/** What nodes can ask of the map, without putting callbacks into node data (which would defeat memoisation). */
export interface TopologyActions {
  toggleGroup(key: string): void;
}
export const TopologyActionsContext = createContext<TopologyActions>({ toggleGroup: () => undefined });

const KIND_LABELS: Record<NodeKind, string> = {
  service: 'service',
  database: 'database',
  cache: 'cache',
  queue: 'queue',
  unknown: 'not registered',
};

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

function Handles() {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="tnode__handle" />
      <Handle type="source" position={Position.Right} isConnectable={false} className="tnode__handle" />
    </>
  );
}

/**
 * A chip on a service node: its figure ("2", "35%"), never cut, then its words, which a crowded node
 * cuts to an ellipsis — the title says it whole. Those that do not fit even so go into "+N" (`fitChips`).
 */
function NodeChip({ kind, figure, words, title, atOneOnly = false, enlargedOnly = false }: { kind: string; figure?: string | undefined; words: string; title?: string | undefined; atOneOnly?: boolean; enlargedOnly?: boolean }) {
  return (
    <span className={`tnode__chip tnode__chip--${kind}${atOneOnly ? ' tnode__at-one' : ''}${enlargedOnly ? ' tnode__enlarged' : ''}`} title={title ?? (figure !== undefined ? `${figure} ${words}` : words)}>
      {figure !== undefined && <span className="tnode__figure">{figure}</span>}
      {figure !== undefined && ' '}
      <span className="tnode__words">{words}</span>
    </span>
  );
}

/** A service node's chips: what it says, in `fitChips`' terms. */
interface ServiceChip extends FitChip {
  title?: string | undefined;
}
interface FitResult {
  shown: ServiceChip[];
  collapsed: ServiceChip[];
}

/** "35% errors" → its figure and words; shown whole, first: what the reader needs most. */
function errorsChip(errors: string): ServiceChip {
  const space = errors.indexOf(' ');
  return space < 0 ? { kind: 'errors', words: errors, whole: true } : { kind: 'errors', figure: errors.slice(0, space), words: errors.slice(space + 1), whole: true };
}

const chipText = (chip: ServiceChip): string => (chip.figure !== undefined ? `${chip.figure} ${chip.words}` : chip.words);

/** "+3", titled with what the chips it stands for say, and heard so ("3 flapping, 2 drained", not "plus 2"). */
function MoreChip({ collapsed, className }: { collapsed: ServiceChip[]; className: string }) {
  const hidden = collapsed.map(chipText).join(', ');
  return (
    <span className={`tnode__chip tnode__chip--more ${className}`} title={hidden}>
      <span aria-hidden="true">{moreChipText(collapsed.length)}</span>
      <span className="visually-hidden">{hidden}</span>
    </span>
  );
}

/**
 * The chips that fit the meta line (`fitChips`), then a "+N" chip for the rest, titled with what they
 * say: as many as fit at scale 1 and, on a map with its details enlarged at all (`data-detail-enlarged`),
 * as many as fit at the largest scale. Lost instances are told apart by what they need (`lostChips`):
 * gone (red, dashed: restart them) or still serving out of discovery (amber: fix their etcd connection).
 */
function Chips({ chips, atOne = fitChips(chips, CHIP_LINE_PX, 1), enlarged = fitChips(chips) }: { chips: ServiceChip[]; atOne?: FitResult; enlarged?: FitResult }) {
  return (
    <>
      {chips.map((chip) => {
        const shownAtOne = atOne.shown.includes(chip);
        const shownEnlarged = enlarged.shown.includes(chip);
        if (!shownAtOne && !shownEnlarged) return null;
        return (
          <NodeChip
            key={chip.kind}
            kind={chip.kind}
            figure={chip.figure}
            words={chip.words}
            title={chip.title}
            atOneOnly={!shownEnlarged}
            enlargedOnly={!shownAtOne}
          />
        );
      })}
      <MoreChips atOne={atOne.collapsed} enlarged={enlarged.collapsed} />
    </>
  );
}

/** The "+N" chip at scale 1 and enlarged: one when both stand for the same chips. */
function MoreChips({ atOne, enlarged }: { atOne: ServiceChip[]; enlarged: ServiceChip[] }) {
  if (atOne.length === enlarged.length) return atOne.length > 0 ? <MoreChip collapsed={atOne} className="" /> : null;
  return (
    <>
      {atOne.length > 0 && <MoreChip collapsed={atOne} className="tnode__at-one" />}
      {enlarged.length > 0 && <MoreChip collapsed={enlarged} className="tnode__enlarged" />}
    </>
  );
}

/** "flapping" on a node, as beside its status in the services list: a green node between failures is no recovery that holds. */
const FLAPPING_CHIP: ServiceChip = { kind: 'flapping', words: 'flapping', title: `${FLAPPING_MEANING}. Its page says which instance.` };

/** A recovered origin's mark on the map: when it recovered; whom it took down is in the panel. */
const recoveredOriginTitle = (clock: string): string => `Was the likely origin; passing again since ${clock}, while services that depend on it clear its errors`;

function ServiceNodeView({ data }: NodeProps<ServiceFlowNode>) {
  const { name, status, instances, drained, lost, lostServing, checking, cause, failing, origin, originRecoveredAt, errors, flappingUntil, focus } = data;
  const allLost = lost + checking > 0 && lost + checking === instances;
  const standIns = lost + checking > 0;
  const count = plural(instances, 'instance', 'instances');
  const local = useLocalTimes();
  // One timer to the flap's end, as the services list: no render per second on a map of hundreds.
  const flapping = useBeforeIso(flappingUntil);
  const chips: ServiceChip[] = allLost
    ? // "2 instances · all lost · 17%" did not fit, and a share of failing calls (the minute before it went
      // is in it) read as a partial problem: every instance is gone.
      [...lostChips(lost, lostServing, true, checking), ...(flapping ? [FLAPPING_CHIP] : [])]
    : [
        ...(errors ? [errorsChip(errors)] : []),
        ...(standIns ? lostChips(lost, lostServing, false, checking) : []),
        ...(flapping ? [FLAPPING_CHIP] : []),
        ...(drained > 0 ? [{ kind: 'drained', figure: String(drained), words: 'drained' }] : []),
      ];
  // With chips, the count goes beside the name: "1 lost" reads the same of 2 instances and of 256.
  const countBesideName = chips.length > 0;
  return (
    <div
      className={`tnode tnode--service tstatus--${status}${failing ? ' is-failing' : ''}${origin ? ' is-origin' : ''}${focus ? ` is-focus-${focus}` : ''}`}
      title={`${name} — ${STATUS_LABELS[status]}${cause ? `: ${local(cause)}` : ''}`}
    >
      <Handles />
      <span className="tnode__status">
        <StatusIcon status={status} />
        <span className="visually-hidden">{STATUS_LABELS[status]}</span>
      </span>
      <span className="tnode__body">
        <span className="tnode__head">
          <span className="tnode__name">{name}</span>
          {countBesideName && <span className="tnode__instances">{count}</span>}
        </span>
        <span className="tnode__meta">
          {countBesideName ? <Chips chips={chips} /> : <span>{count}</span>}
        </span>
      </span>
      {origin && <OriginMark className="tnode__origin" />}
      {originRecoveredAt !== undefined && <OriginMark className="tnode__origin" title={recoveredOriginTitle(local(utcClock(originRecoveredAt), originRecoveredAt))} recovered />}
    </div>
  );
}

/** A distinct outline per kind, so what a dependency is never depends on reading its label. */
function KindShape({ kind }: { kind: NodeKind }) {
  switch (kind) {
    case 'database':
      return (
        <svg className="tnode__shape" viewBox="0 0 156 64" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <path d="M2 10 C2 2 154 2 154 10 L154 54 C154 62 2 62 2 54 Z" />
          <path d="M2 10 C2 18 154 18 154 10" fill="none" />
        </svg>
      );
    case 'cache':
      return (
        <svg className="tnode__shape" viewBox="0 0 156 64" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <path d="M16 2 H140 L154 32 L140 62 H16 L2 32 Z" />
        </svg>
      );
    case 'queue':
      return (
        <svg className="tnode__shape" viewBox="0 0 156 64" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <path d="M12 2 H144 C152 2 154 16 154 32 C154 48 152 62 144 62 H12 C4 62 2 48 2 32 C2 16 4 2 12 2 Z" />
          <path d="M144 2 C136 2 134 16 134 32 C134 48 136 62 144 62" fill="none" />
        </svg>
      );
    default:
      return (
        <svg className="tnode__shape tnode__shape--dashed" viewBox="0 0 156 64" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <rect x="2" y="2" width="152" height="60" rx="10" />
        </svg>
      );
  }
}

function ExternalNodeView({ data }: NodeProps<ServiceFlowNode>) {
  const { name, kind, status, failing, origin, originRecoveredAt, errors, focus } = data;
  const local = useLocalTimes();
  return (
    <div
      className={`tnode tnode--external tnode--${kind} tstatus--${status}${failing ? ' is-failing' : ''}${origin ? ' is-origin' : ''}${focus ? ` is-focus-${focus}` : ''}`}
      title={`${name} — ${KIND_LABELS[kind]}, ${STATUS_LABELS[status].toLowerCase()}${status === 'unknown' ? ' (no calls observed)' : ''}`}
    >
      <Handles />
      <KindShape kind={kind} />
      <span className="tnode__body tnode__body--external">
        <span className="tnode__name">{name}</span>
        <span className="tnode__meta">
          <StatusIcon status={status} />
          {/* The outline already says what it is: room goes to the errors when there are some. */}
          {errors ? <span className="tnode__chip tnode__chip--errors">{errors}</span> : <span>{KIND_LABELS[kind]}</span>}
        </span>
      </span>
      {origin && <OriginMark className="tnode__origin" />}
      {originRecoveredAt !== undefined && <OriginMark className="tnode__origin" title={recoveredOriginTitle(local(utcClock(originRecoveredAt), originRecoveredAt))} recovered />}
    </div>
  );
}

const STATUS_ORDER = ['critical', 'warning', 'unknown', 'passing'] as const;

/** A group's member count: "12 services", or shorter ("12 svc", the figure set apart) titled so where the line has no room for more; heard in full. */
function Members({ text, members, className }: { text: string; members: string; className: string }) {
  if (text === members) return <span className={`tnode__members ${className}`.trim()}>{text}</span>;
  return (
    <span className={`tnode__members${isMemberFigure(text) ? ' tnode__members--figure' : ''} ${className}`.trim()} title={members}>
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden">{members}</span>
    </span>
  );
}

function ClusterNodeView({ data }: NodeProps<ClusterFlowNode>) {
  const { toggleGroup } = useContext(TopologyActionsContext);
  const local = useLocalTimes();
  const members = plural(data.members, 'service', 'services');
  const counted = STATUS_ORDER.filter((status) => status !== 'passing' && data[status] > 0);
  // Counted when the flow was built (built again as a flap ends): a green group can hide a crash loop as a green node did.
  // Drained last, so it folds into "+N" first; each whole or folded, never cut: a group has no page of chips to read them on.
  const chips: ServiceChip[] = [
    ...(data.flapping > 0 ? [{ kind: 'flapping', figure: String(data.flapping), words: 'flapping', whole: true, title: `${plural(data.flapping, 'service', 'services')} flapping. ${FLAPPING_MEANING}.` }] : []),
    ...(data.drained > 0 ? [{ kind: 'drained', figure: String(data.drained), words: 'drained', whole: true }] : []),
  ];
  const counts = counted.map((status) => String(data[status]));
  const membersText = clusterMemberTexts(data.members);
  const atOne = fitClusterLine(membersText, counts, chips, 1);
  const enlarged = fitClusterLine(membersText, counts, chips, CHIP_FIT_SCALE);
  return (
    <div className={`tnode tnode--cluster tstatus--${data.status}${data.failing > 0 ? ' is-failing' : ''}${data.origin ? ' is-origin' : ''}`}>
      <Handles />
      <span className="tnode__status">
        <StatusIcon status={data.status} />
        <span className="visually-hidden">{STATUS_LABELS[data.status]}</span>
      </span>
      <span className="tnode__body">
        <span className="tnode__name">
          {data.key}
          <span className="tnode__kind">{data.mode === 'zone' ? 'zone' : 'namespace'}</span>
        </span>
        <span className="tnode__meta">
          {atOne.members === enlarged.members ? (
            <Members text={atOne.members} members={members} className="" />
          ) : (
            <>
              <Members text={atOne.members} members={members} className="tnode__at-one" />
              <Members text={enlarged.members} members={members} className="tnode__enlarged" />
            </>
          )}
          {counted.map((status) => (
            <span key={status} className={`tnode__count status--${status}`} title={`${data[status]} ${STATUS_LABELS[status].toLowerCase()}`}>
              <StatusIcon status={status} />
              {data[status]}
              <span className="visually-hidden"> {STATUS_LABELS[status].toLowerCase()}</span>
            </span>
          ))}
          <Chips chips={chips} atOne={atOne} enlarged={enlarged} />
        </span>
      </span>
      <button
        type="button"
        className="tnode__toggle nodrag"
        aria-label={`Expand ${data.key}`}
        title="Expand"
        onClick={(event) => {
          event.stopPropagation();
          toggleGroup(data.key);
        }}
      >
        +
      </button>
      {data.origin && <OriginMark className="tnode__origin" />}
      {data.recoveredOrigin !== undefined && data.originRecoveredAt !== undefined && (
        <OriginMark className="tnode__origin" title={`${data.recoveredOrigin}: ${recoveredOriginTitle(local(utcClock(data.originRecoveredAt), data.originRecoveredAt))}`} recovered />
      )}
    </div>
  );
}

function FrameNodeView({ data }: NodeProps<FrameFlowNode>) {
  const { toggleGroup } = useContext(TopologyActionsContext);
  return (
    <div className={`tframe tstatus--${data.status}`}>
      <div className="tframe__header">
        <StatusIcon status={data.status} />
        <span className="tframe__title">{data.key}</span>
        <span className="tframe__meta">
          {plural(data.members, 'service', 'services')}
          {data.failing > 0 && ` · ${data.failing} failing`}
        </span>
        <button
          type="button"
          className="tnode__toggle nodrag"
          aria-label={`Collapse ${data.key}`}
          title="Collapse"
          onClick={(event) => {
            event.stopPropagation();
            toggleGroup(data.key);
          }}
        >
          −
        </button>
      </div>
    </div>
  );
}

export const NODE_TYPES = {
  service: memo(ServiceNodeView),
  external: memo(ExternalNodeView),
  cluster: memo(ClusterNodeView),
  frame: memo(FrameNodeView),
};
