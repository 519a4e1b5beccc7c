// A small MPEG-TS writer for layouts ffmpeg does not make (an access unit over several PES packets, audio
// frames straddling PES packets, PES packets without a PTS): a PAT, a PMT, then PES packets with or without
// PTS/DTS, cut into 188-byte packets with continuity counters and adaptation-field stuffing.
import { patPayload, pmtPayload, timestamp, tsPacket } from '../../formats/mpegts/helpers';

export interface TsStreamSpec {
  pid: number;
  streamType: number;
}

export interface PesSpec {
  /** 0xE0 video, 0xC0 MPEG audio (and ADTS), 0xBD private stream 1 (AC-3). */
  streamId: number;
  /** 90 kHz. */
  pts?: number;
  /** 90 kHz; written only with a PTS. */
  dts?: number;
  /** Write PES_packet_length (otherwise 0, unbounded, which only video may use). */
  declareLength?: boolean;
  /** random_access_indicator in the first packet. */
  randomAccess?: boolean;
}

const PMT_PID = 0x1000;
const PAYLOAD = 184;

export class TsWriter {
  private readonly packets: Uint8Array[] = [];
  private readonly counters = new Map<number, number>();

  constructor(streams: readonly TsStreamSpec[]) {
    this.write(0, patPayload(1, PMT_PID));
    this.write(PMT_PID, pmtPayload(1, streams[0]?.pid ?? 0x1fff, streams.map((s) => ({ type: s.streamType, pid: s.pid }))));
  }

  pes(pid: number, payload: Uint8Array, spec: PesSpec): this {
    this.write(pid, pesPacket(payload, spec), spec.randomAccess);
    return this;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.packets);
  }

  /** `data` from a packet with payload_unit_start_indicator on, over as many packets as it needs. */
  private write(pid: number, data: Uint8Array, randomAccess = false): void {
    let at = 0;
    do {
      const first = at === 0;
      // The adaptation field with the flag takes 2 bytes; a 183-byte payload would need a 1-byte one,
      // which tsPacket does not write: 182 then.
      const room = first && randomAccess ? PAYLOAD - 2 : PAYLOAD;
      let take = Math.min(room, data.length - at);
      if (take === PAYLOAD - 1) take--;
      const cc = this.counters.get(pid) ?? 0;
      this.counters.set(pid, (cc + 1) & 15);
      this.packets.push(tsPacket(pid, data.subarray(at, at + take), { pusi: first, cc, randomAccess: first && randomAccess }));
      at += take;
    } while (at < data.length);
  }
}

function pesPacket(payload: Uint8Array, spec: PesSpec): Uint8Array {
  const times = spec.pts === undefined ? [] : spec.dts === undefined ? timestamp(2, spec.pts) : [...timestamp(3, spec.pts), ...timestamp(1, spec.dts)];
  const flags = spec.pts === undefined ? 0 : spec.dts === undefined ? 0x80 : 0xc0;
  const after = 3 + times.length + payload.length; // bytes after PES_packet_length
  const length = spec.declareLength && after <= 0xffff ? after : 0;
  const header = [0, 0, 1, spec.streamId, length >> 8, length & 0xff, 0x80, flags, times.length, ...times];
  return Buffer.concat([Uint8Array.from(header), payload]);
}

/** Splits an Annex-B stream into access units, each starting at an access unit delimiter (`aud`: its first two bytes after 00 00 00 01). */
export function accessUnits(file: Uint8Array, aud: readonly number[]): Uint8Array[] {
  const stream = plain(file);
  const starts: number[] = [];
  for (let i = 0; i + 5 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1 && aud.every((b, k) => (stream[i + 4 + k] ?? 0) === b)) starts.push(i);
  }
  return starts.map((start, k) => stream.subarray(start, starts[k + 1] ?? stream.length));
}

/** Splits an ADTS stream into its frames, by each header's aac_frame_length. */
export function adtsFrames(file: Uint8Array): Uint8Array[] {
  const stream = plain(file);
  const frames: Uint8Array[] = [];
  for (let at = 0; at + 7 <= stream.length;) {
    const length = (((stream[at + 3] ?? 0) & 3) << 11) | ((stream[at + 4] ?? 0) << 3) | ((stream[at + 5] ?? 0) >> 5);
    if (length < 7) break;
    frames.push(stream.subarray(at, at + length));
    at += length;
  }
  return frames;
}

/** A Uint8Array view of a Buffer (readFileSync's), so that its pieces compare equal to what the inspector gives. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
