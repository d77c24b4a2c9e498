/**
 * The runtime's pieces with a lifetime, in the order they were started. Stopping runs their stops
 * in reverse, so nothing stops before what depends on it (the history closes after every producer
 * of events), and one failing stop does not keep the rest from running.
 */
export interface RuntimeParts {
  /** Records a started part; `stop` runs on shutdown. Returns `value` for wiring in one expression. */
  add<T>(name: string, value: T, stop: (value: T) => unknown): T;
  stopAll(): Promise<void>;
}

export function createRuntimeParts(log: (line: string) => void): RuntimeParts {
  const started: { name: string; stop: () => unknown }[] = [];
  return {
    add(name, value, stop) {
      started.push({ name, stop: () => stop(value) });
      return value;
    },
    async stopAll() {
      for (const part of started.splice(0).reverse()) {
        try {
          await part.stop();
        } catch (error) {
          log(`stopping ${part.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}
