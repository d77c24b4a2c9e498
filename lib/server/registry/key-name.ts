import { isUtf8 } from 'node:buffer';

const BACKSLASH = 0x5c;
const LOWER_X = 0x78;

/**
 * An etcd key's bytes as a string that is printable and injective, so it can serve as the key's
 * identity in maps and as the text decoders derive names and ids from. Valid UTF-8 reads as itself;
 * each byte that is not part of a valid UTF-8 sequence reads `\xNN`, and a backslash that would
 * otherwise be mistaken for the start of such an escape (one followed by `x`, a backslash or an
 * invalid byte) is doubled. So `/services/u8/a\xff` and `/services/u8/a\xfe` (invalid bytes) stay
 * two keys, and neither can be confused with a key that really spells `a\xff` in text.
 */
export function keyName(bytes: Buffer): string {
  if (bytes.indexOf(BACKSLASH) === -1 && isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      out += `\\x${(bytes[i] as number).toString(16).padStart(2, '0')}`;
      i += 1;
    } else if (bytes[i] === BACKSLASH) {
      const next = bytes[i + 1];
      const escapesNext = next === LOWER_X || next === BACKSLASH || (next !== undefined && validSequenceLength(bytes, i + 1) === 0);
      out += escapesNext ? '\\\\' : '\\';
      i += 1;
    } else {
      out += bytes.toString('utf8', i, i + length);
      i += length;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence starting at `at` (Unicode Table 3-7), or 0 when it is not one. */
function validSequenceLength(bytes: Buffer, at: number): number {
  const lead = bytes[at] as number;
  if (lead < 0x80) return 1;
  const inRange = (offset: number, low: number, high: number): boolean => {
    const byte = bytes[at + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const [low, high] = lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}
