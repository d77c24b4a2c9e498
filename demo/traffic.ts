import { nextArrivalMs, type Random } from './latency';

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

/** A message queue topic, reduced to what the demo needs: how many messages wait. */
export interface Topic {
  publish(): void;
  /** Takes one message if there is one. */
  take(): boolean;
}

/** Oldest messages are dropped beyond this backlog, as a topic's retention would. */
const TOPIC_CAPACITY = 10_000;

export function createTopic(): Topic {
  let backlog = 0;
  return {
    publish: () => void (backlog = Math.min(backlog + 1, TOPIC_CAPACITY)),
    take() {
      if (backlog === 0) return false;
      backlog -= 1;
      return true;
    },
  };
}

const POLL_MS = 100;

/** A consumer: polls the topic and handles up to `concurrency` messages at a time. Returns a stop function. */
export function startConsumer(topic: Topic, handle: () => Promise<unknown>, concurrency = 4): () => void {
  let inFlight = 0;
  const timer = setInterval(() => {
    while (inFlight < concurrency && topic.take()) {
      inFlight += 1;
      void handle()
        .catch(() => undefined)
        .finally(() => (inFlight -= 1));
    }
  }, POLL_MS);
  return () => clearInterval(timer);
}
