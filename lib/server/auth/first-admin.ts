import type { Auth } from './service';

/** Creates the first admin on an empty store and says so once in the log (with a generated password, the only time it is shown). */
export async function bootstrapFirstAdmin(auth: Pick<Auth, 'bootstrap'>, password: string | undefined, log: (line: string) => void): Promise<void> {
  const firstAdmin = await auth.bootstrap(password);
  if (!firstAdmin.created) return;
  log(
    firstAdmin.generated
      ? `first start: created user "${firstAdmin.name}" with password ${firstAdmin.password} (shown only this once; change it on the Access page)`
      : `first start: created user "${firstAdmin.name}" with the password from SWITCHYARD_ADMIN_PASSWORD`,
  );
}
