import { Fragment } from 'react';
import { STATUSES } from '@/lib/model/instance';
import { OriginMark } from '../ui/OriginMark';
import { StatusIcon } from '../ui/StatusIcon';
import { STATUS_LABELS } from '../ui/StatusBadge';
import { lostChips } from './flow';

/** One of each stand-in chip, as a node shows it (`lostChips`), with what it calls for. */
const LEGEND_CHIPS = [
  { chip: lostChips(1, 0, false)[0], meaning: 'process gone (restart it)' },
  { chip: lostChips(1, 1, false)[0], meaning: 'still serving, but no caller finds it (fix its etcd connection)' },
  { chip: lostChips(0, 0, false, 1)[0], meaning: 'left discovery while passing probes: checking whether it still serves' },
].flatMap(({ chip, meaning }) => (chip ? [{ chip, meaning }] : []));

/** What shapes, colours, widths and patterns mean; every status also has its own icon shape. */
export function TopologyLegend() {
  return (
    <section className="tlegend" id="topology-legend" aria-label="Legend">
      <h2 className="tlegend__title">Legend</h2>
      <ul className="tlegend__list">
        {STATUSES.map((status) => (
          <li key={status} className={`status--${status}`}>
            <StatusIcon status={status} /> <span>{STATUS_LABELS[status]}</span>
          </li>
        ))}
      </ul>
      <ul className="tlegend__list tlegend__list--shapes">
        <li>
          <span className="tlegend__shape tlegend__shape--service" /> service
        </li>
        <li>
          <span className="tlegend__shape tlegend__shape--database" /> database
        </li>
        <li>
          <span className="tlegend__shape tlegend__shape--cache" /> cache
        </li>
        <li>
          <span className="tlegend__shape tlegend__shape--queue" /> queue
        </li>
        <li>
          <span className="tlegend__shape tlegend__shape--unknown" /> not registered
        </li>
      </ul>
      <ul className="tlegend__list tlegend__list--edges">
        <li>
          <svg width="36" height="10" aria-hidden="true">
            <path d="M2 5H34" className="tlegend__edge tlegend__edge--ok" />
          </svg>
          calls; thicker = more per second
        </li>
        <li>
          <svg width="36" height="10" aria-hidden="true">
            <path d="M2 5H34" className="tlegend__edge tlegend__edge--warning" />
          </svg>
          1–5 % errors (labelled)
        </li>
        <li>
          <svg width="36" height="10" aria-hidden="true">
            <path d="M2 5H34" className="tlegend__edge tlegend__edge--critical" />
          </svg>
          ≥ 5 % errors, dashed (labelled)
        </li>
        <li>
          <svg width="36" height="10" aria-hidden="true">
            <path d="M2 5H34" className="tlegend__edge tlegend__edge--idle" />
          </svg>
          no calls in the last minute: declared, or called lately (thin, faint)
        </li>
      </ul>
      <p className="tlegend__note">
        <span className="tnode__chip tnode__chip--drained">2 drained</span> instances out of rotation ·{' '}
        {LEGEND_CHIPS.map(({ chip, meaning }) => (
          <Fragment key={chip.kind}>
            <span className={`tnode__chip tnode__chip--${chip.kind}`} title={chip.title}>
              {chip.text}
            </span>{' '}
            {meaning} ·{' '}
          </Fragment>
        ))}
        <OriginMark title="The mark of a likely origin" /> likely origin of a failure ·{' '}
        <OriginMark title="The mark of a likely origin that passes again" recovered /> was the likely origin, passing again while its callers clear its errors ·
        an edge&apos;s label says its window: the last 30 s during an outage the minute still dilutes, else the minute; its errors count from 3 failed calls
      </p>
    </section>
  );
}
