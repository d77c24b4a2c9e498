'use client';

import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Service } from '@/lib/model/instance';
import type { ServiceSnapshot } from '@/lib/model/live';
import { serviceOf, serviceViewFromSnapshot, type ServiceView } from '@/lib/model/views';
import { getSocket } from './socket';
import type { ViewClient } from './viewClient';
import { viewClientOn } from './viewSocket';

let client: ViewClient | undefined;

/** The tab's views over its one socket, created on first use (in the browser only). */
export function getViewClient(): ViewClient {
  if (client) return client;
  const views = viewClientOn(getSocket());
  client = views;
  return views;
}

export interface LiveService {
  /** The service with its instances in id order; undefined while it has none (or before the first snapshot). */
  service: Service | undefined;
  /** No snapshot yet (neither server-rendered nor from the socket). */
  loading: boolean;
}

const services = new WeakMap<ServiceView, Service>();
const serviceFrom = (view: ServiceView): Service => {
  let service = services.get(view);
  if (!service) services.set(view, (service = serviceOf(view)));
  return service;
};

/**
 * One service's live instances: subscribes to the service's room while mounted (shared by every
 * component of the tab showing it), re-subscribing with resume after a reconnect. `seed` is a
 * server render of it, shown until the socket's view arrives. An empty name holds nothing.
 */
export function useServiceView(name: string, seed?: ServiceSnapshot): LiveService {
  useEffect(() => {
    if (name === '') return;
    return getViewClient().holdService(name, seed?.service === name ? seed : undefined);
  }, [name, seed]);
  const subscribe = useCallback((listener: () => void) => (name === '' ? () => {} : getViewClient().onService(name, listener)), [name]);
  const live = useSyncExternalStore(
    subscribe,
    () => (name === '' ? null : (client?.service(name) ?? null)),
    () => null,
  );
  const seeded = useMemo(() => (seed?.service === name ? serviceViewFromSnapshot(seed) : null), [seed, name]);
  const view = live ?? seeded;
  const service = view && view.instances.size > 0 ? serviceFrom(view) : undefined;
  return { service, loading: view === null && name !== '' };
}
