/** Label names Prometheus accepts in every version (UTF-8 names need 3.0 and a setting). */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `prometheus.io/path` as scrape labels: the path in `__metrics_path__` and each query parameter in
 * `__param_<name>`, which is how Prometheus adds a query to the scrape URL (a `?` in the path is
 * escaped to `%3F`, and `/m?x=1` scraped `/m%3Fx=1`: a 404). The fragment is dropped (never sent).
 * `{}` when the annotation says nothing usable (no leading `/`: the default `/metrics` stays);
 * null when its query cannot be carried in labels (a name that is not a label name, or repeated),
 * which would scrape something else than asked.
 */
export function metricsPathLabels(annotation: string | undefined): Record<string, string> | null {
  const [withQuery = ''] = (annotation ?? '').split('#', 1);
  if (!withQuery.startsWith('/')) return {};
  const question = withQuery.indexOf('?');
  const path = question === -1 ? withQuery : withQuery.slice(0, question);
  const labels: Record<string, string> = { __metrics_path__: path };
  if (question === -1) return labels;
  const params = new URLSearchParams(withQuery.slice(question + 1));
  const names = [...params.keys()];
  if (names.some((name, index) => !LABEL_NAME.test(name) || names.indexOf(name) !== index)) return null;
  for (const [name, value] of params) labels[`__param_${name}`] = value;
  return labels;
}
