'use client';

import { useId, useRef, type FormEvent } from 'react';
import { roleAtLeast, type Role } from '@/lib/model/roles';
import { Modal } from '@/components/drain/Modal';

/** What each role may do, as the API's guards grant it (operator: drains, alert acks and silences, lost instances). */
export const ROLE_MAY: Record<Role, string> = {
  viewer: 'see everything, but change nothing',
  operator: 'drain and undrain instances, acknowledge and silence alerts, and dismiss lost instances',
  admin: 'do all an operator may, and manage users and API tokens',
};

interface Props {
  user: string;
  from: Role;
  to: Role;
  /** The signed-in admin changing their own role. */
  self: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

/** A role change is sent only after this step says what it grants or takes away. */
export function RoleChangeDialog({ user, from, to, self, onConfirm, onClose }: Props) {
  const id = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const promotion = roleAtLeast(to, from);
  const who = self ? 'You' : user;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onConfirm();
  };

  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-intro`} onClose={onClose} initialFocus={confirmRef} className="modal--drain">
      <form className="modal__form" onSubmit={onSubmit} noValidate>
        <div className="modal__header">
          <h2 className="modal__title" id={`${id}-title`}>
            {promotion ? 'Promote' : 'Demote'} <bdi>{user}</bdi> to {to}?
          </h2>
          <button type="button" className="icon-button modal__close" aria-label="Close" onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="modal__body" id={`${id}-intro`}>
          <p className="modal__intro">
            {from} → {to}: {who} will be able to {ROLE_MAY[to]}.
          </p>
          {!promotion && (
            <p className="modal__intro">
              {self ? 'Your' : 'Their'} sessions end now and open consoles close; {self ? 'you sign' : 'they sign'} in again with the new role.
            </p>
          )}
        </div>
        <div className="modal__footer">
          <p className="modal__keys">
            <kbd>Enter</kbd> changes the role · <kbd>Esc</kbd> cancels
          </p>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={promotion ? 'button button--primary' : 'button button--danger'} ref={confirmRef}>
            Make {to}
          </button>
        </div>
      </form>
    </Modal>
  );
}
