'use client';

import { useEffect, useState } from 'react';
import type { SummarySnapshot } from '@/lib/model/live';
import { summaryViewFromSnapshot, type SummaryView } from '@/lib/model/views';
import { connectErrorAction } from './connectRefusal';
import { getViewClient } from './liveViews';
import { getSocket } from './socket';
import { createThrottle } from './throttle';
import { loginPath } from '@/lib/model/next-path';
import { serverNow } from './serverClock';

/** 'connecting' only before the first connection; a lost connection is 'reconnecting'. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface LiveView {
  /** The summary view: every service's summary and the registry status. */
  state: SummaryView;
  connection: ConnectionState;
  /** Why the server refused the connection, in its words, while it does (e.g. its database is unreachable). */
  problem: string | null;
  /** Browser time (ms) the last snapshot or delta was applied; null before any arrived. */
  lastUpdate: number | null;
}

/** Deltas arrive coalesced already; this caps React renders at ~10 per second on top. */
const RENDER_INTERVAL_MS = 100;

/**
 * Holds the summary view: starts from the server-rendered summaries, then follows the tab's one
 * socket. React sees the newest state at most every RENDER_INTERVAL_MS.
 */
export function useLiveState(initial: SummarySnapshot): LiveView {
  const [view, setView] = useState<LiveView>(() => ({
    state: summaryViewFromSnapshot(initial),
    connection: 'connecting',
    problem: null,
    lastUpdate: null,
  }));

  useEffect(() => {
    const socket = getSocket();
    const views = getViewClient();
    let latest: LiveView = view;
    const render = createThrottle(() => setView(latest), RENDER_INTERVAL_MS);
    const update = (patch: Partial<LiveView>) => {
      latest = { ...latest, ...patch };
      render.schedule();
    };

    const release = views.holdSummary(initial);
    const stopListening = views.onSummary(() => {
      const state = views.summary();
      if (state) update({ state, lastUpdate: serverNow() });
    });

    const setConnection = (connection: ConnectionState) => update({ connection });
    let retry: ReturnType<typeof setTimeout> | undefined;
    const onConnect = () => update({ connection: 'connected', problem: null });
    const onDisconnect = (reason: string) => {
      // A server-side disconnect stops automatic reconnection; we still want live data.
      if (reason === 'io server disconnect') socket.connect();
      setConnection(navigator.onLine ? 'reconnecting' : 'offline');
    };
    const onConnectError = (error: Error & { data?: unknown }) => {
      const action = connectErrorAction(error, socket.active);
      // The session ended (signed out elsewhere, expired, revoked): sign in again and come back here.
      if (action.kind === 'sign-in') {
        window.location.assign(loginPath(`${window.location.pathname}${window.location.search}`));
        return;
      }
      if (action.kind === 'retry') {
        clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), action.afterMs);
        update({ connection: navigator.onLine ? 'reconnecting' : 'offline', problem: action.problem });
        return;
      }
      // 'wait': Socket.IO is reconnecting by itself (a refused handshake, inactive, was 'retry' above).
      setConnection(navigator.onLine ? 'reconnecting' : 'offline');
    };
    const onReconnectFailed = () => setConnection('offline');
    const onBrowserOffline = () => setConnection('offline');
    const onBrowserOnline = () => {
      if (!socket.connected) setConnection('reconnecting');
    };

    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.io.on('reconnect_failed', onReconnectFailed);
    window.addEventListener('offline', onBrowserOffline);
    window.addEventListener('online', onBrowserOnline);
    if (socket.connected) setConnection('connected');

    return () => {
      clearTimeout(retry);
      render.cancel();
      stopListening();
      release();
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.io.off('reconnect_failed', onReconnectFailed);
      window.removeEventListener('offline', onBrowserOffline);
      window.removeEventListener('online', onBrowserOnline);
    };
    // Subscribes once per mount, starting from the first render's view; later server renders
    // arrive through the effect below, so `view` is deliberately not a dependency.
  }, []);

  // A newer server render (router.refresh) supersedes what we hold; an older one never does.
  useEffect(() => {
    getViewClient().offerSummary(initial);
  }, [initial]);

  return view;
}
