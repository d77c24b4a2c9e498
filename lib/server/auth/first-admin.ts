import type { Auth } from './service';

/**
 * The first admin's password as configured (SWITCHYARD_ADMIN_PASSWORD, else none: one is
 * generated), and whether `npm run demo` chose it for its child server, which the newcomer never
 * configured: the demo prints it itself after the server is ready.
 */
export interface ConfiguredAdminPassword {
  password: string | undefined;
  chosenByDemo: boolean;
}

/** Creates the first admin on an empty store and says so once in the log (with a generated password, the only time it is shown). */
export async function bootstrapFirstAdmin(auth: Pick<Auth, 'bootstrap'>, configured: ConfiguredAdminPassword, log: (line: string) => void): Promise<void> {
  const firstAdmin = await auth.bootstrap(configured.password);
  if (!firstAdmin.created) return;
  const created = `first start: created user "${firstAdmin.name}"`;
  if (firstAdmin.generated) log(`${created} with password ${firstAdmin.password} (shown only this once; change it on the Access page)`);
  else if (configured.chosenByDemo) log(`${created} with the demo's password (below)`);
  else log(`${created} with the password from SWITCHYARD_ADMIN_PASSWORD`);
}
