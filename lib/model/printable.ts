/**
 * Characters that act instead of printing: C0/C1 controls and DEL (ESC starts terminal escape
 * sequences, CR rewrites the line, C1 CSI is ESC[ on some terminals), bidi controls (an RTL
 * override makes `gnp.exe` read as `exe.png`), and Unicode line/paragraph separators.
 */
const ACTIVE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu;

/**
 * Stranger-written text (service names, ids, drain reasons, server messages quoting them) made
 * safe to print on one terminal or log line: each active character is shown as its escape
 * (`\x1b`, `\n`-as-`\x0a`, `\u202e`) instead of being sent.
 */
export function printable(text: string): string {
  return text.replace(ACTIVE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
