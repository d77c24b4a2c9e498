/**
 * Cells a spreadsheet would run as a formula (OWASP: `=`, `+`, `-`, `@`, tab, CR) get a leading
 * quote. Only text is neutralised: a number is one we computed (an id, a count, a negative delta),
 * never fleet data, and `'-2` would turn it into text in the spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * The same after a semicolon: spreadsheets in locales whose list separator is `;` (de-DE, fr-FR)
 * split a comma-separated file there, so `x;=cmd|…` would start a cell of its own with `=`.
 * Quoting does not help: that split ignores the comma-separated quoting.
 */
const FORMULA_AFTER_SEMICOLON = /;(?=[=+\-@\t\r])/g;

export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = (FORMULA_START.test(value) ? `'${value}` : value).replace(FORMULA_AFTER_SEMICOLON, ";'");
  // RFC 4180: quote a cell holding a separator, quote or line break, doubling its quotes;
  // edge whitespace is quoted too, as some readers trim unquoted cells.
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | undefined | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
