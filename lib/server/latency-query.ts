import { WINDOWS, WindowSchema, type LatencyWindow } from '@/lib/model/latency';
import { jsonError } from './http';

/** Reads `?window=` (default 15m); a bad value is the contract's 422 naming the field. */
export function windowParam(request: Request): { ok: true; window: LatencyWindow; stepSeconds: number } | { ok: false; response: Response } {
  const raw = new URL(request.url).searchParams.get('window') ?? '15m';
  const parsed = WindowSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, response: jsonError(422, 'invalid', `window must be one of ${WindowSchema.options.join(', ')}`, 'window') };
  }
  return { ok: true, window: parsed.data, stepSeconds: WINDOWS[parsed.data].stepSeconds };
}
