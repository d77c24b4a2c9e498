import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv';

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+1', "'+1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
  ])('%s → %s', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('quotes a formula that also needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('joins cells with CRLF rows and leaves missing cells empty', () => {
    expect(csvRow(['a', undefined, 3])).toBe('a,,3\r\n');
  });
});
