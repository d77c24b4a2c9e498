/** Lone surrogates (possible in names decoded from JSON) make encodeURIComponent throw. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Link to a service page. Names are arbitrary strings: `/`, `%`, spaces and `<` are
 * percent-encoded, and the dot segments `.`/`..` too, which browsers would resolve away.
 */
export function servicePath(name: string): string {
  const encoded = encodeURIComponent(name.replace(LONE_SURROGATE, '\uFFFD'));
  return `/services/${encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded}`;
}
