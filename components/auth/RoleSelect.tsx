import { ROLES, type Role } from '@/lib/model/roles';

/** The role picker of the new-user and new-token forms (a labelled, uncontrolled `<select name="role">`); `describedBy`: the id of what says what each role may do. */
export function RoleSelect({ id, defaultRole, describedBy }: { id: string; defaultRole: Role; describedBy?: string }) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Role
      </label>
      <span className="select">
        <select id={id} name="role" defaultValue={defaultRole} aria-describedby={describedBy}>
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </span>
    </div>
  );
}
