// NAL unit walking for the Annex-B conversion of the MPEG-TS writer.

/** H.264 and H.265 NAL unit types the writers look at. */
const H264_AUD = 9;
const H264_SPS = 7;
const H265_AUD = 35;
const H265_SPS = 33;

export const START_CODE = new Uint8Array([0, 0, 0, 1]);
/** Access unit delimiters with start code: H.264 primary_pic_type 7 (any), H.265 pic_type 2 (any). */
export const H264_AUD_NAL = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]);
export const H265_AUD_NAL = new Uint8Array([0, 0, 0, 1, 0x46, 0x01, 0x50]);

export function nalType(first: number, h265: boolean): number {
  return h265 ? (first >> 1) & 0x3f : first & 0x1f;
}

export function isAud(type: number, h265: boolean): boolean {
  return type === (h265 ? H265_AUD : H264_AUD);
}

export function isSps(type: number, h265: boolean): boolean {
  return type === (h265 ? H265_SPS : H264_SPS);
}

export interface AuScan {
  /** The data are Annex-B (start codes), not length-prefixed. */
  annexB: boolean;
  /** Length-prefixed: where the walk stopped (data.length when the lengths add up). */
  end: number;
  /** Length-prefixed: bytes of the Annex-B output of the NAL units kept (start code + NAL, AUDs dropped). */
  annexBBytes: number;
  /** Annex-B input: the first NAL unit is an AUD. */
  startsWithAud: boolean;
  hasSps: boolean;
  /** NAL units with length 0 (skipped). */
  emptyNals: number;
}

/** Reads a big-endian length of `size` bytes at `at`. */
function readLength(data: Uint8Array, at: number, size: number): number {
  let len = 0;
  for (let k = 0; k < size; k++) len = len * 256 + (data[at + k] ?? 0);
  return len;
}

function startCodeAt(data: Uint8Array, at: number): number {
  if (data[at] !== 0 || data[at + 1] !== 0) return 0;
  if (data[at + 2] === 1) return 3;
  if (data[at + 2] === 0 && data[at + 3] === 1) return 4;
  return 0;
}

/** Walks one access unit of length-prefixed NAL units (falls back to Annex-B when the data are that). */
export function scanAccessUnit(data: Uint8Array, lengthSize: number, h265: boolean): AuScan {
  const scan: AuScan = { annexB: false, end: 0, annexBBytes: 0, startsWithAud: false, hasSps: false, emptyNals: 0 };
  let at = 0;
  while (at + lengthSize <= data.length) {
    const len = readLength(data, at, lengthSize);
    const start = at + lengthSize;
    if (start + len > data.length) break;
    if (len === 0) scan.emptyNals++;
    else {
      const type = nalType(data[start] ?? 0, h265);
      if (isSps(type, h265)) scan.hasSps = true;
      if (!isAud(type, h265)) scan.annexBBytes += START_CODE.length + len;
    }
    at = start + len;
  }
  scan.end = at;
  if (at !== data.length && startCodeAt(data, 0) > 0) return scanAnnexB(data, h265);
  return scan;
}

function scanAnnexB(data: Uint8Array, h265: boolean): AuScan {
  const scan: AuScan = { annexB: true, end: data.length, annexBBytes: data.length, startsWithAud: false, hasSps: false, emptyNals: 0 };
  let first = true;
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 1) continue;
    const type = nalType(data[i + 3] ?? 0, h265);
    if (first && isAud(type, h265)) scan.startsWithAud = true;
    if (isSps(type, h265)) scan.hasSps = true;
    first = false;
    i += 2;
  }
  return scan;
}

/** Calls `emit` with each kept NAL unit (start, end) of length-prefixed data up to `end`, AUDs and empty units left out. */
export function forEachNal(data: Uint8Array, lengthSize: number, end: number, h265: boolean, emit: (start: number, end: number) => void): void {
  let at = 0;
  while (at + lengthSize <= end) {
    const len = readLength(data, at, lengthSize);
    const start = at + lengthSize;
    if (start + len > end) return;
    if (len > 0 && !isAud(nalType(data[start] ?? 0, h265), h265)) emit(start, start + len);
    at = start + len;
  }
}
