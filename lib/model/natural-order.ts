const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** The end of the run of digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
  return end;
}

/**
 * Text order in which runs of digits compare as numbers: `orders-2` before `orders-10`,
 * `10.0.0.9:80` before `10.0.0.10:80`. Locale-free, so the server and every browser sort alike;
 * names equal but for leading zeros fall back to plain code-unit order, so the order is total.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const codeA = a.charCodeAt(i);
    const codeB = b.charCodeAt(j);
    if (isDigit(codeA) && isDigit(codeB)) {
      const endA = digitsEnd(a, i);
      const endB = digitsEnd(b, j);
      while (i < endA - 1 && a.charCodeAt(i) === 48) i += 1;
      while (j < endB - 1 && b.charCodeAt(j) === 48) j += 1;
      // More significant digits is the bigger number; as many, the first differing digit decides.
      if (endA - i !== endB - j) return endA - i < endB - j ? -1 : 1;
      for (; i < endA; i += 1, j += 1) {
        const digitA = a.charCodeAt(i);
        const digitB = b.charCodeAt(j);
        if (digitA !== digitB) return digitA < digitB ? -1 : 1;
      }
      continue;
    }
    if (codeA !== codeB) return codeA < codeB ? -1 : 1;
    i += 1;
    j += 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
