import { z } from 'zod';
import { DrainSchema, InstanceSchema, type Drain, type Instance } from '@/lib/model/instance';
import { pathSegment } from '@/lib/model/path-segment';

/**
 * The drain API from the browser (DESIGN §4). Every response is validated with zod; nothing here
 * touches the live state: a successful drain reaches the page through the socket like any change.
 */

export interface DrainBody {
  reason: string;
  ttlSeconds?: number;
  force?: boolean;
}

export interface BulkDrainBody extends DrainBody {
  zone?: string;
  version?: string;
}

/** Why a request did not succeed: an answer from the API (`http`) or no answer at all (`network`). */
export type DrainFailure =
  | { kind: 'http'; status: number; code: string; message: string; field?: string; current?: Drain | null }
  | { kind: 'network'; message: string };

export type DrainResult<T> = { ok: true; data: T } | { ok: false; failure: DrainFailure };

export interface BulkDrainOutcome {
  drained: Instance[];
  skipped: string[];
}

const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  current: DrainSchema.nullable().optional(),
});

const BulkResultSchema = z.object({ drained: z.array(InstanceSchema), skipped: z.array(z.string()) });

export const instanceDrainUrl = (service: string, id: string): string =>
  `/api/v1/services/${pathSegment(service)}/instances/${pathSegment(id)}/drain`;

export const serviceDrainUrl = (service: string): string => `/api/v1/services/${pathSegment(service)}/drain`;

/** The error of a non-2xx answer; bodies that are not the contract's shape still say the status. */
export function failureFrom(status: number, statusText: string, text: string): DrainFailure {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return { kind: 'http', status, code: `http_${status}`, message: `HTTP ${status}${statusText ? ` ${statusText}` : ''}` };
  const { code, message, field } = parsed.data.error;
  return {
    kind: 'http',
    status,
    code,
    message,
    ...(field !== undefined ? { field } : {}),
    ...(parsed.data.current !== undefined ? { current: parsed.data.current } : {}),
  };
}

async function call<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<DrainResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, headers, cache: 'no-store' });
    text = await response.text();
  } catch (error) {
    return { ok: false, failure: { kind: 'network', message: error instanceof Error ? error.message : String(error) } };
  }
  if (!response.ok) return { ok: false, failure: failureFrom(response.status, response.statusText, text) };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, failure: { kind: 'http', status: response.status, code: 'unexpected_response', message: 'Switchyard answered with something unexpected' } };
  }
  return { ok: true, data: parsed.data };
}

/** `POST …/instances/{id}/drain` → the instance as the watch shows it. */
export function drainInstance(service: string, id: string, body: DrainBody): Promise<DrainResult<Instance>> {
  return call(instanceDrainUrl(service, id), { method: 'POST', body: JSON.stringify(body) }, InstanceSchema);
}

/** `DELETE …/instances/{id}/drain` → the instance, back in rotation. */
export function undrainInstance(service: string, id: string): Promise<DrainResult<Instance>> {
  return call(instanceDrainUrl(service, id), { method: 'DELETE' }, InstanceSchema);
}

/** `POST /services/{service}/drain` with a zone and/or version → what was drained and what was skipped. */
export function drainMatching(service: string, body: BulkDrainBody): Promise<DrainResult<BulkDrainOutcome>> {
  return call(serviceDrainUrl(service), { method: 'POST', body: JSON.stringify(body) }, BulkResultSchema);
}
