import { z } from 'zod';
import { InstanceSchema } from '@/lib/model/instance';
import { pathSegment } from '@/lib/model/path-segment';
import { failureFrom, type DrainFailure } from './drainApi';

export const lostInstanceUrl = (service: string, id: string): string => `/api/v1/services/${pathSegment(service)}/instances/${pathSegment(id)}/lost`;

const DismissedSchema = z.object({ dismissed: InstanceSchema });

/** Dismisses a lost instance (operator); the live state then drops it like any removal. */
export async function dismissLost(service: string, id: string): Promise<{ ok: true } | { ok: false; failure: DrainFailure }> {
  try {
    const response = await fetch(lostInstanceUrl(service, id), { method: 'DELETE', headers: { accept: 'application/json' }, cache: 'no-store' });
    const text = await response.text();
    if (!response.ok) return { ok: false, failure: failureFrom(response.status, response.statusText, text) };
    return DismissedSchema.safeParse(JSON.parse(text)).success ? { ok: true } : { ok: false, failure: { kind: 'network', message: 'unexpected answer from the server' } };
  } catch (error) {
    return { ok: false, failure: { kind: 'network', message: error instanceof Error ? error.message : String(error) } };
  }
}
