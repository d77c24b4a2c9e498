/** What of a keydown in the Acknowledge form's note decides whether it acknowledges. */
export interface NoteKey {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
  keyCode: number;
}

/** The keyCode of a keydown an IME handles. */
const IME_KEY_CODE = 229;

/**
 * Whether a keydown in the note acknowledges: Enter does, as an input's did; Shift+Enter is a new line.
 * The Enter that confirms an IME word does not: Safari fires compositionend before that keydown, so
 * isComposing is already false there and only keyCode 229 tells it (a Japanese or Chinese note was
 * acknowledged half typed).
 */
export function enterAcknowledges({ key, shiftKey, isComposing, keyCode }: NoteKey): boolean {
  return key === 'Enter' && !shiftKey && !isComposing && keyCode !== IME_KEY_CODE;
}
