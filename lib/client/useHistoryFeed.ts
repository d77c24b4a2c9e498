'use client';

import { useEffect, useRef } from 'react';
import type { HistoryEvent } from '@/lib/model/events';
import { followHistory } from './historyFollow';
import { getSocket } from './socket';

export interface HistoryFeedHandlers {
  /** Events as the server commits them, oldest first. */
  onEvents: (events: HistoryEvent[]) => void;
  /** The socket connected again after a drop: events committed meanwhile were not streamed. */
  onReconnect?: () => void;
}

/**
 * Follows committed history on the tab's one socket while mounted: every event when `service` is
 * '', else that service's; failures only when `failures` (the server sends a view socket only what
 * it follows). The latest handlers are always called.
 */
export function useHistoryFeed(handlers: HistoryFeedHandlers, enabled = true, service = '', failures = false): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    const socket = getSocket();
    let wasDown = false;
    const onEvents = (events: HistoryEvent[]): void => {
      if (Array.isArray(events) && events.length > 0) latest.current.onEvents(events);
    };
    const onDisconnect = (): void => {
      wasDown = true;
    };
    const onConnect = (): void => {
      if (!wasDown) return;
      wasDown = false;
      latest.current.onReconnect?.();
    };
    socket.on('history:events', onEvents);
    socket.on('disconnect', onDisconnect);
    socket.on('connect', onConnect);
    const release = followHistory(socket, service, failures);
    return () => {
      release();
      socket.off('history:events', onEvents);
      socket.off('disconnect', onDisconnect);
      socket.off('connect', onConnect);
    };
  }, [enabled, service, failures]);
}
