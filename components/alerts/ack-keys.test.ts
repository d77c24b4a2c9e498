import { describe, expect, it } from 'vitest';
import { enterAcknowledges } from './ack-keys';

const enter = { key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13 };

describe('enterAcknowledges', () => {
  it('acknowledges on Enter, not on Shift+Enter (a new line) nor on other keys', () => {
    expect(enterAcknowledges(enter)).toBe(true);
    expect(enterAcknowledges({ ...enter, shiftKey: true })).toBe(false);
    expect(enterAcknowledges({ ...enter, key: 'a', keyCode: 65 })).toBe(false);
  });

  it('does not acknowledge on the Enter that confirms an IME word, while composing or (Safari) just after compositionend', () => {
    expect(enterAcknowledges({ ...enter, isComposing: true, keyCode: 229 })).toBe(false);
    // Safari fires compositionend before this keydown: isComposing is already false, keyCode is 229.
    expect(enterAcknowledges({ ...enter, isComposing: false, keyCode: 229 })).toBe(false);
  });
});
