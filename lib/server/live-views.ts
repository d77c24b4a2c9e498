import type { Socket } from 'socket.io';
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SummarySnapshot,
  type ViewResume,
} from '@/lib/model/live';
import type { LiveServer } from './live';
import { createSnapshotPacer, createSocketMemory, encodeEvent, SNAPSHOT_INTERVAL_MS, type SnapshotPacer, type SocketMemory } from './socket-memory';
import { acknowledge, createRequestGuard } from './socket-rate-limit';
import { systemClock, type Clock } from './store/clock';
import { compressedSummaryParts } from './summary-snapshot-parts';
import type { LiveFeed } from './store/store';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** A tab shows one service page and perhaps a map panel; 32 leaves room for many panels and tabs sharing nothing. */
export const MAX_SERVICE_VIEWS_PER_SOCKET = 32;
/**
 * (Un)subscribes per socket per second: a reconnect re-subscribes every view at once (the summary
 * plus at most 32 services), so this is that plus room to navigate; more is a bug or abuse.
 */
export const VIEW_REQUESTS_PER_SECOND = 40;

const SUMMARY_ROOM = 'view:summary';
const SERVICE_ROOM_PREFIX = 'view:service:';
const serviceRoom = (service: string): string => `${SERVICE_ROOM_PREFIX}${service}`;


/** Per-socket view subscriptions: the summary room and a room per service (attachLiveViews). */
export interface LiveViews {
  /** Serves a socket's `live:subscribe` and `live:unsubscribe` requests. */
  onConnection(socket: LiveSocket): void;
  /** Stops following the store and the rooms. */
  close(): void;
}

/**
 * Per-view live updates (docs/ARCHITECTURE "Live updates"): the summary room and a room per
 * service. Every message carries `prev`, the seq of the previous message sent for that view in this
 * server run, so a client can tell a view's silence (nothing touched it) from a lost message.
 */
export function attachLiveViews(
  io: LiveServer,
  store: LiveFeed,
  now: () => number = Date.now,
  compress: (snapshot: SummarySnapshot) => Promise<Uint8Array[]> = compressedSummaryParts,
  clock: Clock = systemClock,
  memory: SocketMemory = createSocketMemory({}, clock),
): LiveViews {
  const rooms = io.of('/').adapter.rooms;
  let summaryPrev = 0;
  /** The seq of the last summary message the store emitted, heard by the room or not: what a snapshot being compressed may have missed. */
  let summarySeq = 0;
  /** service → seq of the last delta sent to its room; dropped with the room (a newcomer starts from a snapshot or a catch-up). */
  const servicePrev = new Map<string, number>();
  /** service → its last snapshot's packet, serialised once and written to every socket that asks while it holds; dropped with the room. */
  const servicePackets = new Map<string, { epoch: string; seq: number; revision: string; packets: readonly string[] }>();
  const onRoomDeleted = (room: unknown): void => {
    if (typeof room === 'string' && room.startsWith(SERVICE_ROOM_PREFIX)) {
      const service = room.slice(SERVICE_ROOM_PREFIX.length);
      servicePrev.delete(service);
      servicePackets.delete(service);
    }
  };
  io.of('/').adapter.on('delete-room', onRoomDeleted);

  const unsubscribe = store.subscribeViews((delta) => {
    const summaryChanged = delta.summaryUpserts.length > 0 || delta.summaryRemoves.length > 0 || delta.registry !== undefined;
    if (summaryChanged) summarySeq = delta.seq;
    if (summaryChanged && rooms.has(SUMMARY_ROOM)) {
      io.to(SUMMARY_ROOM).emit('summary:delta', {
        seq: delta.seq,
        prev: summaryPrev,
        revision: delta.revision,
        ...(delta.registry ? { registry: delta.registry } : {}),
        upserts: delta.summaryUpserts,
        removes: delta.summaryRemoves,
      });
      summaryPrev = delta.seq;
    }
    for (const [service, changes] of delta.changesByService) {
      const room = serviceRoom(service);
      if (!rooms.has(room)) continue;
      io.to(room).emit('service:delta', { service, seq: delta.seq, prev: servicePrev.get(service) ?? 0, revision: delta.revision, changes });
      servicePrev.set(service, delta.seq);
    }
  });

  /** A resume from this run's log is answered with one catch-up delta; anything else with a snapshot. */
  const usable = (resume: ViewResume | undefined): ViewResume | undefined => (resume?.epoch === store.epoch ? resume : undefined);

  /**
   * `wantedNow`: whether the socket holds the summary view as of now, and if so, the check a snapshot
   * sent for this subscription makes before it leaves (false once it is unsubscribed meanwhile).
   * Snapshots are paced per socket as a service's are: whole-fleet summaries asked for 40 times a
   * second (the request limit) were 6.8 MB/s to one socket at 10,000 services.
   */
  function subscribeSummary(socket: LiveSocket, resume: ViewResume | undefined, pacer: SnapshotPacer, wantedNow: () => (() => boolean) | undefined): void {
    const catchUp = resume ? store.summaryCatchUp(resume.seq) : null;
    if (resume && catchUp) {
      if (catchUp.seq > resume.seq) socket.emit('summary:delta', { seq: catchUp.seq, prev: resume.seq, revision: catchUp.revision, registry: catchUp.registry, upserts: catchUp.upserts, removes: catchUp.removes });
      // In the same synchronous step as what it was sent: no delta falls between.
      void socket.join(SUMMARY_ROOM);
    } else {
      // Out of the room until its snapshot is sent: no delta reaches the socket before it.
      void socket.leave(SUMMARY_ROOM);
      pacer.run(SUMMARY_ROOM, () => {
        const wanted = wantedNow();
        if (wanted) sendSummarySnapshot(socket, wanted);
      });
    }
  }

  /**
   * The snapshot is compressed off the event loop (once per snapshot, shared by every socket), so
   * deltas may leave while it compresses. The socket stays out of the room meanwhile, and in one
   * synchronous step when the parts are ready it gets them, then — if a summary message left since
   * the snapshot was taken — one catch-up delta from the snapshot's seq (as a resume would), then
   * joins the room: snapshot, catch-up, room deltas, in order with nothing lost. The parts keep the
   * seq of the snapshot they hold. Should the log no longer reach back to it, it starts again from
   * the current snapshot.
   */
  function sendSummarySnapshot(socket: LiveSocket, wanted: () => boolean): void {
    const snapshot = store.summarySnapshot();
    compress(snapshot)
      .then((parts) => {
        if (!socket.connected || !wanted() || memory.overLimit(socket)) return;
        const catchUp = summarySeq > snapshot.seq ? store.summaryCatchUp(snapshot.seq) : undefined;
        if (catchUp === null) return sendSummarySnapshot(socket, wanted);
        for (const part of parts) socket.emit('summary:snapshot', part);
        if (catchUp && catchUp.seq > snapshot.seq) {
          socket.emit('summary:delta', { seq: catchUp.seq, prev: snapshot.seq, revision: catchUp.revision, registry: catchUp.registry, upserts: catchUp.upserts, removes: catchUp.removes });
        }
        void socket.join(SUMMARY_ROOM);
      })
      // Never seen (zlib on bytes in memory): the reconnect asks again, and the failed parts are forgotten.
      .catch(() => socket.disconnect());
  }

  function serviceSnapshotPackets(service: string): readonly string[] {
    const snapshot = store.serviceSnapshot(service);
    const cached = servicePackets.get(service);
    if (cached?.epoch === snapshot.epoch && cached.seq === snapshot.seq && cached.revision === snapshot.revision) return cached.packets;
    const packets = encodeEvent(io, 'service:snapshot', snapshot);
    servicePackets.set(service, { epoch: snapshot.epoch, seq: snapshot.seq, revision: snapshot.revision, packets });
    return packets;
  }

  /**
   * A catch-up (or a snapshot) and joining the room in one synchronous step. Snapshots of one service
   * to one socket are paced (SNAPSHOT_INTERVAL_MS): one asked again inside the interval leaves when it
   * ends, as of then, if the socket still holds the view.
   */
  function subscribeService(socket: LiveSocket, service: string, resume: ViewResume | undefined, pacer: SnapshotPacer, wanted: () => boolean): void {
    const room = serviceRoom(service);
    const catchUp = resume ? store.serviceCatchUp(service, resume.seq) : null;
    if (resume && catchUp) {
      if (catchUp.seq > resume.seq) socket.emit('service:delta', { service, seq: catchUp.seq, prev: resume.seq, revision: catchUp.revision, changes: catchUp.changes });
      void socket.join(room);
      return;
    }
    pacer.run(room, () => {
      if (!wanted()) return;
      if (memory.send(socket, serviceSnapshotPackets(service))) void socket.join(room);
      if (!rooms.has(room)) servicePackets.delete(service);
    });
  }

  return {
    onConnection(socket) {
      memory.watch(socket);
      const accepted = createRequestGuard(VIEW_REQUESTS_PER_SECOND, now);
      const pacer = createSnapshotPacer(SNAPSHOT_INTERVAL_MS, clock);
      socket.on('disconnect', pacer.close);
      const services = new Set<string>();
      let summarySubscribed = false;
      /** Counts summary unsubscribes: a snapshot still compressing for an earlier subscribe is then not sent. */
      let summaryUnsubscribes = 0;
      const summaryWanted = (): (() => boolean) | undefined => {
        if (!summarySubscribed) return undefined;
        const unsubscribesBefore = summaryUnsubscribes;
        return () => summaryUnsubscribes === unsubscribesBefore;
      };
      socket.on('live:subscribe', (request, ack) => {
        const reply = acknowledge(ack);
        const view = accepted(SubscribeRequestSchema, request, reply);
        if (!view) return;
        const resume = usable(view.resume);
        if (view.view === 'summary') {
          summarySubscribed = true;
          subscribeSummary(socket, resume, pacer, summaryWanted);
        } else {
          if (!services.has(view.service) && services.size >= MAX_SERVICE_VIEWS_PER_SOCKET) {
            return reply?.({ ok: false, error: `at most ${MAX_SERVICE_VIEWS_PER_SOCKET} service views per connection` });
          }
          services.add(view.service);
          subscribeService(socket, view.service, resume, pacer, () => socket.connected && services.has(view.service));
        }
        reply?.({ ok: true });
      });
      socket.on('live:unsubscribe', (request, ack) => {
        const reply = acknowledge(ack);
        const view = accepted(UnsubscribeRequestSchema, request, reply);
        if (!view) return;
        if (view.view === 'summary') {
          summarySubscribed = false;
          summaryUnsubscribes += 1;
          void socket.leave(SUMMARY_ROOM);
        } else {
          services.delete(view.service);
          void socket.leave(serviceRoom(view.service));
        }
        reply?.({ ok: true });
      });
    },
    close() {
      unsubscribe();
      io.of('/').adapter.off('delete-room', onRoomDeleted);
    },
  };
}
