/** Lone surrogates (possible in names decoded from JSON) make encodeURIComponent throw. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * One URL path segment holding an arbitrary name: `/`, `%`, spaces and `<` are percent-encoded.
 * The names `.` and `..` cannot be carried at all: URL parsers resolve them away even as `%2E%2E`,
 * and an instance named `..` would turn `…/instances/../drain` into the service's bulk drain. They
 * are encoded twice, so their links and API calls end at a 404 instead of another endpoint.
 */
export function pathSegment(name: string): string {
  const encoded = encodeURIComponent(name.replace(LONE_SURROGATE, '\uFFFD'));
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%252E') : encoded;
}
