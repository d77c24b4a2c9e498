import { describe, expect, it } from 'vitest';
import { keyName } from './key-name';

const bytes = (...parts: (string | number)[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from([part]))));

describe('keyName', () => {
  it('reads valid UTF-8 as itself, backslashes included when nothing could mistake them', () => {
    expect(keyName(bytes('/services/用户/a-1'))).toBe('/services/用户/a-1');
    expect(keyName(bytes('/services/c:\\tmp/a'))).toBe('/services/c:\\tmp/a');
  });

  it('keeps keys that differ only in invalid bytes apart, and apart from text spelling the escape', () => {
    const names = [bytes('/services/u8/a', 0xff), bytes('/services/u8/a', 0xfe), bytes('/services/u8/a\\xff'), bytes('/services/u8/a\uFFFD')].map(keyName);
    expect(names).toEqual(['/services/u8/a\\xff', '/services/u8/a\\xfe', '/services/u8/a\\\\xff', '/services/u8/a\uFFFD']);
  });

  it('treats overlong forms, surrogates and truncated sequences as invalid bytes', () => {
    expect(keyName(bytes('a', 0xc0, 0xaf))).toBe('a\\xc0\\xaf');
    expect(keyName(bytes(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80');
    expect(keyName(bytes('é'.slice(0, 1), 0xe2, 0x82))).toBe('é\\xe2\\x82');
  });

  it('is injective: every byte string of up to four bytes over a tricky alphabet gets its own name', () => {
    const alphabet = [0x5c, 0x78, 0x66, 0x41, 0xff, 0xc3, 0xa9, 0xe2, 0x82, 0xac];
    const seen = new Map<string, string>();
    const visit = (prefix: number[]): void => {
      const name = keyName(Buffer.from(prefix));
      const hex = Buffer.from(prefix).toString('hex');
      expect(seen.get(name) ?? hex, `${hex} and ${seen.get(name)} share the name ${name}`).toBe(hex);
      seen.set(name, hex);
      if (prefix.length < 4) for (const byte of alphabet) visit([...prefix, byte]);
    };
    visit([]);
    expect(seen.size).toBe(1 + 10 + 100 + 1_000 + 10_000);
  });
});
