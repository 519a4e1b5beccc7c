// Builders for hand-made transport streams.
import { crc32Mpeg2 } from '../../../../src/formats/mpegts';

export interface PacketOptions {
  pusi?: boolean;
  cc?: number;
  discontinuity?: boolean;
  randomAccess?: boolean;
  /** 27 MHz */
  pcr?: number;
  tei?: boolean;
}

/** One 188-byte packet; the payload is padded with adaptation-field stuffing to fill the packet. */
export function tsPacket(pid: number, payload: Uint8Array, o: PacketOptions = {}): Uint8Array {
  const p = new Uint8Array(188);
  p[0] = 0x47;
  p[1] = (o.tei ? 0x80 : 0) | (o.pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  p[2] = pid & 0xff;
  const af: number[] = [];
  const flags = (o.discontinuity ? 0x80 : 0) | (o.randomAccess ? 0x40 : 0) | (o.pcr !== undefined ? 0x10 : 0);
  const needAf = flags !== 0 || payload.length < 184;
  if (needAf) {
    af.push(flags);
    if (o.pcr !== undefined) {
      const base = Math.floor(o.pcr / 300);
      const ext = o.pcr % 300;
      af.push(Math.floor(base / 0x2000000) & 0xff, (base >>> 17) & 0xff, (base >>> 9) & 0xff, (base >>> 1) & 0xff, ((base & 1) << 7) | 0x7e | ((ext >> 8) & 1), ext & 0xff);
    }
  }
  const room = 184 - (needAf ? 1 : 0);
  const stuffing = needAf ? room - af.length - payload.length : 0;
  if (stuffing < 0) throw new Error('payload too big');
  p[3] = ((needAf ? 2 : 0) | (payload.length > 0 ? 1 : 0)) << 4 | ((o.cc ?? 0) & 15);
  let at = 4;
  if (needAf) {
    p[at++] = af.length + stuffing;
    for (const b of af) p[at++] = b;
    for (let i = 0; i < stuffing; i++) p[at++] = 0xff;
  }
  p.set(payload, at);
  return p;
}

function withCrc(section: number[]): Uint8Array {
  const bytes = new Uint8Array(section.length + 4);
  bytes.set(section);
  const crc = crc32Mpeg2(bytes, 0, section.length);
  bytes.set([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255], section.length);
  return bytes;
}

/** PAT section with one program (pointer_field included). */
export function patPayload(programNumber: number, pmtPid: number): Uint8Array {
  const body = [0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00, programNumber >> 8, programNumber & 255, 0xe0 | (pmtPid >> 8), pmtPid & 255];
  return new Uint8Array([0, ...withCrc(body)]);
}

/** PMT section (pointer_field included). */
export function pmtPayload(programNumber: number, pcrPid: number, streams: { type: number; pid: number }[]): Uint8Array {
  const es: number[] = [];
  for (const s of streams) es.push(s.type, 0xe0 | (s.pid >> 8), s.pid & 255, 0xf0, 0x00);
  const length = 9 + es.length + 4;
  const body = [0x02, 0xb0 | (length >> 8), length & 255, programNumber >> 8, programNumber & 255, 0xc1, 0x00, 0x00, 0xe0 | (pcrPid >> 8), pcrPid & 255, 0xf0, 0x00, ...es];
  return new Uint8Array([0, ...withCrc(body)]);
}

/** A 33-bit PTS or DTS in the 5 bytes of a PES header, after its 4-bit prefix (2: PTS alone, 3: PTS then DTS, 1: DTS). */
export function timestamp(prefix: number, t: number): number[] {
  return [
    (prefix << 4) | ((Math.floor(t / 0x40000000) & 7) << 1) | 1,
    (Math.floor(t / 0x400000) & 0xff),
    ((Math.floor(t / 0x8000) & 0x7f) << 1) | 1,
    (Math.floor(t / 0x80) & 0xff),
    ((t & 0x7f) << 1) | 1,
  ];
}

/** A PES header (video stream id 0xE0) with PTS and optionally DTS; PES_packet_length 0 unless given. */
export function pesHeader(pts: number, dts?: number, length = 0): Uint8Array {
  const ts = dts === undefined ? timestamp(2, pts) : [...timestamp(3, pts), ...timestamp(1, dts)];
  return new Uint8Array([0, 0, 1, 0xe0, length >> 8, length & 255, 0x80, dts === undefined ? 0x80 : 0xc0, ts.length, ...ts]);
}
