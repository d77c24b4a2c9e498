import {
  ClientClosedError,
  ClientRuntimeError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCGenericError,
} from 'etcd3';

/** What an operator should fix, recognised from the text of etcd3/grpc/TLS errors (their classes vary by path). */
const CAUSES: { pattern: RegExp; explanation: string }[] = [
  {
    pattern: /authentication failed|invalid user ?ID or password/i,
    explanation: 'etcd authentication failed: check ETCD_USERNAME and ETCD_PASSWORD',
  },
  {
    pattern: /authentication is not enabled/i,
    explanation: 'ETCD_USERNAME is set but this etcd has authentication disabled: unset ETCD_USERNAME and ETCD_PASSWORD',
  },
  {
    pattern: /permission denied/i,
    explanation: 'etcd denied access: the etcd user needs read on every watched prefix (SWITCHYARD_PREFIXES) and readwrite on the control prefix',
  },
  {
    pattern: /does not match certificate|ERR_TLS_CERT_ALTNAME/i,
    explanation: "etcd's TLS certificate does not name the host in ETCD_ENDPOINTS",
  },
  {
    pattern: /unable to verify the first certificate|self[- ]signed certificate|unable to get (local )?issuer|certificate verify failed/i,
    explanation: "etcd's TLS certificate is not trusted: ETCD_CA_FILE must hold the CA that signed it",
  },
  {
    pattern: /alert bad certificate|alert unknown ca|alert certificate required/i,
    explanation: 'etcd refused our TLS client certificate: ETCD_CERT_FILE and ETCD_KEY_FILE must be a certificate signed by a CA etcd trusts (--trusted-ca-file)',
  },
  {
    pattern: /wrong version number|packet length too long|http\/1\.x server/i,
    explanation: 'TLS mismatch: use https:// in ETCD_ENDPOINTS only for an etcd that serves TLS, http:// otherwise',
  },
];

/** Strips grpc-js noise (OpenSSL source paths, timestamps, empty notes) from an error message. */
function tidy(message: string): string {
  return message
    .replace(/:\.\.\/deps\/openssl\/\S+/g, '')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, '')
    .replace(/\s*Resolution note:\s*$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** An etcd failure as shown in /readyz, the stale-data banner and the log: the likely fix first, then the raw cause. */
export function describeEtcdError(error: unknown): string {
  const message = tidy(error instanceof Error ? error.message : String(error));
  const cause = CAUSES.find((candidate) => candidate.pattern.test(message));
  return cause ? `${cause.explanation} (${message})` : message;
}

/**
 * Whether etcd itself failed the call (down, slow past the deadline, refusing our credentials)
 * rather than our code: such a failure is the registry being unavailable, a 503, not a 500.
 */
export function isEtcdFailure(error: unknown): boolean {
  return (
    error instanceof GRPCGenericError ||
    error instanceof ClientRuntimeError ||
    error instanceof ClientClosedError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError
  );
}
