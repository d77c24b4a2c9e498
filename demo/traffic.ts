import { nextArrivalMs, type Random } from './latency';
import type { Incoming } from './otel';

/**
 * Fires `handle` at Poisson-distributed moments, `ratePerSecond` on average: the independent
 * arrivals of requests from outside. Returns a function that stops it.
 */
export function startArrivals(ratePerSecond: number, handle: () => Promise<unknown>, random: Random): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => {
      void handle().catch(() => undefined);
      schedule();
    }, nextArrivalMs(ratePerSecond, random));
  };
  if (ratePerSecond > 0) schedule();
  return () => clearTimeout(timer);
}

/** A message queue topic, reduced to what the demo needs: the waiting messages' trace contexts. */
export interface Topic {
  publish(message?: Incoming): void;
  /** Takes the oldest message if there is one. */
  take(): Incoming | undefined;
}

/** Oldest messages are dropped beyond this backlog, as a topic's retention would. */
const TOPIC_CAPACITY = 10_000;

export function createTopic(): Topic {
  const backlog: Incoming[] = [];
  return {
    publish(message = {}) {
      backlog.push(message);
      if (backlog.length > TOPIC_CAPACITY) backlog.shift();
    },
    take: () => backlog.shift(),
  };
}

const POLL_MS = 100;

/** A consumer: polls the topic and handles up to `concurrency` messages at a time. Returns a stop function. */
export function startConsumer(topic: Topic, handle: (message: Incoming) => Promise<unknown>, concurrency = 4): () => void {
  let inFlight = 0;
  const timer = setInterval(() => {
    while (inFlight < concurrency) {
      const message = topic.take();
      if (!message) break;
      inFlight += 1;
      void handle(message)
        .catch(() => undefined)
        .finally(() => (inFlight -= 1));
    }
  }, POLL_MS);
  return () => clearInterval(timer);
}
