import { FIELDS } from './slots';

/**
 * One persisted minute slot: the series' id (`series_keys`), then count, errors, p50, p95 and p99
 * as the little-endian 32-bit floats the in-memory ring holds — so a slot read back after a restart
 * is bit for bit the point it was, with no sketch (a closed slot never merges again).
 */
export const RECORD_BYTES = 4 + FIELDS * 4;
/** Ids are written as 32-bit unsigned integers. */
export const MAX_SERIES_ID = 0xffff_ffff;

/** Packs `ids.length` records; `fields` holds FIELDS floats per record, in the same order. */
export function encodeMinutes(ids: readonly number[], fields: Float32Array): Uint8Array {
  const bytes = new Uint8Array(ids.length * RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  ids.forEach((id, record) => {
    const at = record * RECORD_BYTES;
    view.setUint32(at, id, true);
    for (let i = 0; i < FIELDS; i += 1) view.setFloat32(at + 4 + i * 4, fields[record * FIELDS + i] ?? Number.NaN, true);
  });
  return bytes;
}

/** Calls `each` per whole record of a body (a trailing partial record is ignored); `fields` is reused between calls. */
export function decodeMinutes(body: Uint8Array, each: (id: number, fields: Float32Array) => void): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const fields = new Float32Array(FIELDS);
  const records = Math.floor(body.byteLength / RECORD_BYTES);
  for (let record = 0; record < records; record += 1) {
    const at = record * RECORD_BYTES;
    for (let i = 0; i < FIELDS; i += 1) fields[i] = view.getFloat32(at + 4 + i * 4, true);
    each(view.getUint32(at, true), fields);
  }
}
