import { z } from 'zod';
import { PathNameSchema } from '@/lib/model/drain';
import type { DrainOutcome } from './drain';
import { errorBody, json, validationError } from './http';

/** Drain bodies are a reason and two numbers. */
export const MAX_DRAIN_BODY_BYTES = 8 * 1024;

/** Service and instance names from the URL, validated; `field` names the bad one. */
export function pathNames(names: Record<string, string>): { ok: true; names: Record<string, string> } | { ok: false; response: Response } {
  const parsed = z.record(z.string(), PathNameSchema).safeParse(names);
  return parsed.success ? { ok: true, names } : { ok: false, response: validationError(parsed.error) };
}

export function drainResponse(outcome: DrainOutcome): Response {
  if (outcome.ok) return json(outcome.instance);
  const body = errorBody(outcome.code, outcome.message, outcome.field);
  return json(outcome.current === undefined ? body : { ...body, current: outcome.current }, outcome.status);
}
