import { ROLES, type Role } from '@/lib/model/roles';

/** The role picker of the new-user and new-token forms (a labelled, uncontrolled `<select name="role">`). */
export function RoleSelect({ id, defaultRole }: { id: string; defaultRole: Role }) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Role
      </label>
      <span className="select">
        <select id={id} name="role" defaultValue={defaultRole}>
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </span>
    </div>
  );
}
