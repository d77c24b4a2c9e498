import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readConfiguredFile, type Config } from './config';

export type Listener = HttpServer | HttpsServer;

/** One year; no `includeSubDomains`, since other services under the same domain are not ours to decide. */
export const HSTS_HEADER = 'max-age=31536000';

export interface CreatedListener {
  server: Listener;
  scheme: 'http' | 'https';
}


/**
 * The dashboard's one server: HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set (config checks
 * they come together), plain HTTP otherwise. Over HTTPS every response carries HSTS, set before
 * the handler runs so Next's responses and the ingest endpoint's alike have it.
 */
export function createListener(config: Pick<Config, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>, handler: RequestListener): CreatedListener {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return { server: createHttpServer(handler), scheme: 'http' };
  const cert = readConfiguredFile('TLS_CERT_FILE', config.TLS_CERT_FILE);
  const key = readConfiguredFile('TLS_KEY_FILE', config.TLS_KEY_FILE);
  let server: HttpsServer;
  try {
    server = createHttpsServer({ cert, key }, (request, response) => {
      response.setHeader('strict-transport-security', HSTS_HEADER);
      handler(request, response);
    });
  } catch (error) {
    throw new Error(`TLS_CERT_FILE/TLS_KEY_FILE: ${config.TLS_CERT_FILE} and ${config.TLS_KEY_FILE} are not a usable certificate and key (${error instanceof Error ? error.message : String(error)})`);
  }
  return { server, scheme: 'https' };
}
