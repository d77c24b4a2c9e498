import type { Etcd3, IWatchResponse, WatchBuilder, Watcher } from 'etcd3';
import { eventually } from './server';

/**
 * Makes `client`'s watcher of the control prefix `/switchyard/` (a registry's last) be created only
 * once `act` has run and the first watcher has seen `events` watch events: the registry's listing is
 * then done and not yet applied, so what `act` wrote is held and applied after the listing (catch-up),
 * as etcd's replay of a write made while listing is. `what` names the write in a timeout's message;
 * `done()` says `act` ran.
 */
export function actWhileListing(client: Etcd3, act: () => Promise<unknown>, events: number, what: string): { done: () => boolean } {
  const watch = client.watch.bind(client);
  let firstWatcher: Watcher | undefined;
  let acted = false;
  client.watch = () => {
    const builder = watch();
    let prefix = '';
    const wrapped = {
      prefix(value: string) {
        prefix = value;
        builder.prefix(value);
        return wrapped;
      },
      startRevision(value: string) {
        builder.startRevision(value);
        return wrapped;
      },
      async create() {
        if (prefix === '/switchyard/' && firstWatcher && !acted) {
          acted = true;
          let seen = 0;
          firstWatcher.on('data', (response: IWatchResponse) => (seen += response.events.length));
          await act();
          await eventually(() => (seen >= events ? true : undefined), 5_000, `${what} to reach the first watcher`);
        }
        const watcher = await builder.create();
        firstWatcher ??= watcher;
        return watcher;
      },
    };
    return wrapped as unknown as WatchBuilder;
  };
  return { done: () => acted };
}
