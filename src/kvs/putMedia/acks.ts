// The PutMedia response body: a long-lived stream of JSON acknowledgement objects (research §1.8),
//   {"EventType":"BUFFERING","FragmentTimecode":253000,"FragmentNumber":"9134…"}
//   {"EventType":"PERSISTED",…}  {"EventType":"ERROR",…,"ErrorId":4002,"ErrorCode":"MAX_FRAGMENT_DURATION_REACHED"}
//   {"EventType":"IDLE"}
// usually one per line or per HTTP chunk, but nothing guarantees where the transport cuts them: an object
// may arrive in pieces, several may share a chunk, and a UTF-8 character may straddle two chunks. The
// parser below scans for balanced top-level {...} (string-aware) and parses each one on its own, so one
// bad object costs only itself.

/** The event types KVS sends; others are passed through as sent. */
export const PutMediaEventType = {
  BUFFERING: 'BUFFERING',
  RECEIVED: 'RECEIVED',
  PERSISTED: 'PERSISTED',
  ERROR: 'ERROR',
  IDLE: 'IDLE',
} as const;

/** ErrorId → ErrorCode of PutMedia ERROR acknowledgements (AWS docs; research §1.8). */
export const PUT_MEDIA_ERROR_CODES: Readonly<Record<number, string>> = {
  4000: 'STREAM_READ_ERROR',
  4001: 'MAX_FRAGMENT_SIZE_REACHED',
  4002: 'MAX_FRAGMENT_DURATION_REACHED',
  4003: 'MAX_CONNECTION_DURATION_REACHED',
  4004: 'FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS',
  4005: 'MORE_THAN_ALLOWED_TRACKS_FOUND',
  4006: 'INVALID_MKV_DATA',
  4007: 'INVALID_PRODUCER_TIMESTAMP',
  4008: 'STREAM_NOT_ACTIVE',
  4009: 'FRAGMENT_METADATA_LIMIT_REACHED',
  4010: 'TRACK_NUMBER_MISMATCH',
  4011: 'FRAMES_MISSING_FOR_TRACK',
  4500: 'KMS_KEY_ACCESS_DENIED',
  4501: 'KMS_KEY_DISABLED',
  4502: 'KMS_KEY_VALIDATION_ERROR',
  4503: 'KMS_KEY_UNAVAILABLE',
  4504: 'KMS_KEY_INVALID_USAGE',
  4505: 'KMS_KEY_INVALID_STATE',
  4506: 'KMS_KEY_NOT_FOUND',
  5000: 'INTERNAL_ERROR',
  5001: 'ARCHIVAL_ERROR',
};

export interface PutMediaAck {
  /** BUFFERING, RECEIVED, PERSISTED, ERROR or IDLE (anything else as sent). */
  eventType: string;
  /** The Cluster timecode the acknowledgement is about, as the producer sent it. */
  fragmentTimecode?: number;
  /** Decimal string (47 digits on KVS). */
  fragmentNumber?: string;
  /** ERROR only. */
  errorId?: number;
  /** ERROR only: as sent, else looked up from errorId. */
  errorCode?: string;
}

export type AckParseItem =
  | { readonly kind: 'ack'; readonly ack: PutMediaAck }
  /** Text that is not an acknowledgement object (bad JSON, stray characters, an oversized object). */
  | { readonly kind: 'malformed'; readonly text: string; readonly reason: string };

/** Longest acknowledgement object kept (real ones are ~150 characters). */
export const MAX_ACK_CHARS = 64 * 1024;
/** How much of a malformed text an item quotes. */
const QUOTE_CHARS = 200;

/**
 * Incremental parser of a PutMedia response body. `push` each chunk as it arrives (bytes or text) and
 * get back the items completed by it; `end` flushes what is left at the end of the response. Holds at
 * most one unfinished object (≤ MAX_ACK_CHARS). No I/O; never throws on bad input.
 */
export class PutMediaAckParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** Text of the object being collected (from its '{'), or of stray text outside objects. */
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current object outgrew MAX_ACK_CHARS: its text is no longer kept. */
  private oversized = false;

  push(chunk: Uint8Array | string): AckParseItem[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.scan(text);
  }

  end(): AckParseItem[] {
    const items = this.scan(this.decoder.decode());
    if (this.depth > 0) {
      items.push(malformed(this.text, this.oversized ? `an acknowledgement longer than ${MAX_ACK_CHARS} characters` : 'the response ended inside an acknowledgement object'));
    } else if (this.text.trim().length > 0) {
      items.push(malformed(this.text, 'text outside acknowledgement objects'));
    }
    this.reset();
    return items;
  }

  private reset(): void {
    this.text = '';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.oversized = false;
  }

  private scan(input: string): AckParseItem[] {
    const items: AckParseItem[] = [];
    let start = 0;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (this.depth === 0) {
        if (c === OPEN_BRACE) {
          // Stray text before this object (not separators) is reported before the object.
          this.appendText(input, start, i);
          this.flushStray(items);
          start = i;
          this.depth = 1;
        } else if (isSeparator(c)) {
          // Whitespace, commas and array brackets between objects are separators.
          this.appendText(input, start, i);
          this.flushStray(items);
          start = i + 1;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_BRACE) {
        this.depth++;
      } else if (c === CLOSE_BRACE) {
        this.depth--;
        if (this.depth === 0) {
          this.appendText(input, start, i + 1);
          items.push(this.oversized ? malformed(this.text, `an acknowledgement longer than ${MAX_ACK_CHARS} characters`) : parseAck(this.text));
          this.text = '';
          this.oversized = false;
          start = i + 1;
        }
      }
    }
    this.appendText(input, start, input.length);
    return items;
  }

  /** Reports the stray text collected outside objects, if any, and forgets it. */
  private flushStray(items: AckParseItem[]): void {
    if (this.text.trim().length > 0) items.push(malformed(this.text, 'text outside acknowledgement objects'));
    this.text = '';
    this.oversized = false;
  }

  /** Keeps input[from, to) as part of the current object or stray text, up to MAX_ACK_CHARS. */
  private appendText(input: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.oversized) return;
    if (this.text.length + (to - from) > MAX_ACK_CHARS) {
      this.text = (this.text + input.slice(from, from + QUOTE_CHARS)).slice(0, QUOTE_CHARS);
      this.oversized = true;
      return;
    }
    this.text += input.slice(from, to);
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSeparator(c: number): boolean {
  // space, \t, \n, \r, ',', '[', ']'
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2c || c === 0x5b || c === 0x5d;
}

function malformed(text: string, reason: string): AckParseItem {
  const trimmed = text.trim();
  return { kind: 'malformed', text: trimmed.length > QUOTE_CHARS ? `${trimmed.slice(0, QUOTE_CHARS)}…` : trimmed, reason };
}

/** One complete {...} → an acknowledgement, or malformed. */
function parseAck(text: string): AckParseItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return malformed(text, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null) return malformed(text, 'not a JSON object');
  const record = value as Record<string, unknown>;
  const eventType = record.EventType;
  if (typeof eventType !== 'string' || eventType.length === 0) return malformed(text, 'no EventType');
  const ack: PutMediaAck = { eventType };
  const timecode = numberOf(record.FragmentTimecode);
  if (timecode !== undefined) ack.fragmentTimecode = timecode;
  const fragmentNumber = record.FragmentNumber;
  if (typeof fragmentNumber === 'string' && fragmentNumber.length > 0) ack.fragmentNumber = fragmentNumber;
  else if (typeof fragmentNumber === 'number' && Number.isFinite(fragmentNumber)) ack.fragmentNumber = String(fragmentNumber);
  const errorId = numberOf(record.ErrorId);
  if (errorId !== undefined) ack.errorId = errorId;
  const errorCode = typeof record.ErrorCode === 'string' && record.ErrorCode.length > 0 ? record.ErrorCode : errorId !== undefined ? PUT_MEDIA_ERROR_CODES[errorId] : undefined;
  if (errorCode !== undefined) ack.errorCode = errorCode;
  return { kind: 'ack', ack };
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Parses a whole response body given as chunks (the incremental parser, run to the end). */
export function parsePutMediaAcks(chunks: Iterable<Uint8Array | string>): AckParseItem[] {
  const parser = new PutMediaAckParser();
  const items: AckParseItem[] = [];
  for (const chunk of chunks) items.push(...parser.push(chunk));
  items.push(...parser.end());
  return items;
}

/** One line for an acknowledgement: `PERSISTED fragment 9134… timecode 2000`, `ERROR 4002 MAX_FRAGMENT_DURATION_REACHED at timecode …`. */
export function formatAck(ack: PutMediaAck): string {
  const fragment = ack.fragmentNumber === undefined ? '' : ` fragment ${ack.fragmentNumber}`;
  if (ack.eventType === PutMediaEventType.ERROR) {
    const id = ack.errorId === undefined ? '' : ` ${ack.errorId}`;
    const code = ack.errorCode === undefined ? '' : ` ${ack.errorCode}`;
    const at = ack.fragmentTimecode === undefined ? '' : ` at timecode ${ack.fragmentTimecode}`;
    return `ERROR${id}${code}${at}${fragment}`;
  }
  const timecode = ack.fragmentTimecode === undefined ? '' : ` timecode ${ack.fragmentTimecode}`;
  return `${ack.eventType}${fragment}${timecode}`;
}
