import { describe, expect, it } from 'vitest';
import { parseCsv } from '@/tests/support/csv';
import { csvCell, csvRow } from './csv';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rinside', '"cr\rinside"'],
    [' padded ', '" padded "'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['-2', "'-2"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['=A1,\n"x"', `"'=A1,\n""x"""`],
    ['a=b', 'a=b'],
    // A `;` splits the cell in semicolon locales: what follows must not start a formula either.
    ["x;=cmd|' /C calc'!A0;y", "x;'=cmd|' /C calc'!A0;y"],
    ['a;-1;+1;@x', "a;'-1;'+1;'@x"],
    ['a; =1', 'a; =1'],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
    ['', ''],
  ])('text %j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    [-2, '-2'],
    [-0.5, '-0.5'],
    [42, '42'],
    [0, '0'],
    [Number.NaN, ''],
    [Number.POSITIVE_INFINITY, ''],
  ])('number %d → %j (ours, never neutralised)', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves missing cells empty', () => {
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
  });
});

describe('csvRow', () => {
  it('joins cells with commas and ends the row with CRLF', () => {
    expect(csvRow(['a', undefined, 3])).toBe('a,,3\r\n');
  });

  it('reads back as the same cells, formulas prefixed with a quote', () => {
    const cells = ["=cmd|' /C calc'!A0", 'say "hi",\r\nbye', '@SUM(1)', '\tlead', 'plain', ''];
    const [read] = parseCsv(csvRow(cells));
    expect(read).toEqual(["'=cmd|' /C calc'!A0", 'say "hi",\r\nbye', "'@SUM(1)", "'\tlead", 'plain', '']);
  });
});
