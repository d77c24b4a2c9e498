/** Where an empty fleet's example registers its instance when the server watches every key. */
const DEFAULT_EXAMPLE_PREFIX = '/services/';

/**
 * The key of the example registration an empty fleet shows (`etcdctl put <key> …`): under the
 * first prefix the server watches (SWITCHYARD_PREFIXES), so that a newcomer who copies it registers
 * something this console sees — under /services/ while another prefix is watched it registered
 * nothing. Watching every key (no prefixes), /services/ is as good as any.
 */
export function exampleRegistrationKey(watchedPrefixes: readonly string[], service: string, instance: string): string {
  const prefix = watchedPrefixes[0] ?? DEFAULT_EXAMPLE_PREFIX;
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${service}/${instance}`;
}

/** An endpoint URL's `user:password@`, which every signed-in user would see in the example. */
const ENDPOINT_CREDENTIALS = /^([a-z][a-z\d+.-]*:\/\/)[^@/?#]*@/i;

/**
 * `etcdctl --endpoints=… put <key>` of the example: with the endpoints of the etcd the server reads,
 * since the one it starts itself (no ETCD_ENDPOINTS) need not be on etcdctl's default 127.0.0.1:2379;
 * never their credentials (etcdctl takes those in --user).
 */
export function exampleRegistrationPut(etcdEndpoints: readonly string[], watchedPrefixes: readonly string[], service: string, instance: string): string {
  const shown = etcdEndpoints.map((endpoint) => endpoint.replace(ENDPOINT_CREDENTIALS, '$1'));
  const endpoints = shown.length > 0 ? ` --endpoints=${shown.join(',')}` : '';
  return `etcdctl${endpoints} put ${exampleRegistrationKey(watchedPrefixes, service, instance)}`;
}
