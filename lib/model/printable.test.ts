import { describe, expect, it } from 'vitest';
import { printable } from './printable';

describe('printable', () => {
  it.each([
    ['orders', 'orders'],
    ['<script>window.__pwned=1</script>', '<script>window.__pwned=1</script>'],
    ['ünïcödé 服务 🚂', 'ünïcödé 服务 🚂'],
    ['\x1b[2J\x1b[31mred', '\\x1b[2J\\x1b[31mred'],
    ['\x1b]0;pwned title\x07', '\\x1b]0;pwned title\\x07'],
    ['\x9b31m', '\\x9b31m'],
    ['real\rfake', 'real\\x0dfake'],
    ['one\ntwo', 'one\\x0atwo'],
    ['tab\there', 'tab\\x09here'],
    ['nul\x00del\x7f', 'nul\\x00del\\x7f'],
    ['evil\u202egnp.exe', 'evil\\u202egnp.exe'],
    ['\u2066isolate\u2069 \u200f', '\\u2066isolate\\u2069 \\u200f'],
    ['line\u2028sep\u2029para', 'line\\u2028sep\\u2029para'],
  ])('%j → %j', (input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  it('leaves nothing a terminal would act on', () => {
    const all = Array.from({ length: 0x100 }, (_, i) => String.fromCharCode(i)).join('') + '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    // eslint-disable-next-line no-control-regex -- the assertion is about control characters
    expect(printable(all)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });
});
