import protobuf from 'protobufjs';
import { OtlpBoundError } from './proto-messages';

/**
 * The most messages (protobuf) or objects and arrays (JSON) one export may hold. Decoding costs per
 * message, not per byte: 4 MiB of empty messages (2 bytes each, 4 KB gzipped) are 2 million objects,
 * ~1 s of decoding and ~300 MB, where a real 4 MiB export (the body limit) holds 100,000–215,000
 * (the OpenTelemetry JS SDK's own exports, concatenated; ~100 ms to decode). So no export may cost
 * more than the largest real one.
 */
export const MAX_EXPORT_MESSAGES = 250_000;
/** Bodies this small cannot hold enough messages to matter (2 bytes each at least): not counted. */
const COUNTED_FROM_BYTES = 64 * 1024;

const tooMany = (): OtlpBoundError => new OtlpBoundError(`more than ${MAX_EXPORT_MESSAGES} messages in one export; send smaller batches`);

/**
 * Throws `OtlpBoundError` if `body`, read as `type`, holds more than `max` messages, before anything
 * is decoded: the wire's tags and lengths are walked with protobufjs's own reader and the type's
 * reflection (nothing is allocated per message), nesting bounded as protobufjs bounds its decoding.
 * A malformed body is left for the decoder to report.
 */
export function boundProtobufMessages(type: protobuf.Type, body: Uint8Array, max = MAX_EXPORT_MESSAGES): void {
  if (body.length < COUNTED_FROM_BYTES) return;
  const reader = protobuf.Reader.create(body);
  let count = 0;
  const walk = (message: protobuf.Type, end: number, depth: number): void => {
    count += 1;
    if (count > max) throw tooMany();
    if (depth > protobuf.util.recursionLimit) throw new OtlpBoundError('messages nested too deeply');
    while (reader.pos < end) {
      const tag = reader.uint32();
      const field = message.fieldsById[tag >>> 3];
      const nested = field?.resolvedType;
      if ((tag & 7) === 2 && nested instanceof protobuf.Type) {
        const length = reader.uint32();
        const nestedEnd = reader.pos + length;
        if (nestedEnd > end) throw new RangeError('message runs past its parent');
        walk(nested, nestedEnd, depth + 1);
        reader.pos = nestedEnd;
      } else reader.skipType(tag & 7);
    }
  };
  try {
    walk(type, body.length, 0);
  } catch (error) {
    // A malformed body: the decoder says where.
    if (error instanceof OtlpBoundError) throw error;
  }
}

const OPENERS = [0x7b, 0x5b]; // `{`, `[`

/**
 * Throws `OtlpBoundError` if a JSON body could hold more than `max` objects and arrays, before it is
 * parsed: every `{` and `[` byte is counted, inside strings too (an over-count only a body far from
 * any real export's shape could reach).
 */
export function boundJsonContainers(body: Uint8Array, max = MAX_EXPORT_MESSAGES): void {
  if (body.length < COUNTED_FROM_BYTES) return;
  let count = 0;
  for (const opener of OPENERS) {
    for (let at = body.indexOf(opener); at !== -1; at = body.indexOf(opener, at + 1)) {
      if (++count > max) throw tooMany();
    }
  }
}
