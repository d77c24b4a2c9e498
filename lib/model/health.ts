import type { Instance, Status } from './instance';

/**
 * A service's status from its instances. Drained instances don't pull the service down
 * (they are out of rotation on purpose) unless every instance is drained.
 */
export function rollUpStatus(instances: readonly Pick<Instance, 'status' | 'drain'>[]): Status {
  const inRotation = instances.filter((i) => i.drain === null);
  const considered = inRotation.length > 0 ? inRotation : instances;
  if (considered.length === 0) return 'unknown';
  let passing = 0;
  let critical = 0;
  let warning = 0;
  for (const instance of considered) {
    if (instance.status === 'passing') passing += 1;
    else if (instance.status === 'critical') critical += 1;
    else if (instance.status === 'warning') warning += 1;
  }
  if (critical === considered.length) return 'critical';
  if (critical > 0 || warning > 0) return 'warning';
  if (passing === 0) return 'unknown';
  return 'passing';
}

const severity: Record<Status, number> = { critical: 3, warning: 2, unknown: 1, passing: 0 };

/** Orders statuses worst first, for sorting tables during an incident. */
export function compareStatusWorstFirst(a: Status, b: Status): number {
  return severity[b] - severity[a];
}
