// MPEG-2 transport stream fragments (ISO/IEC 13818-1) as KVS serves getTSFragment.ts for HLS with
// ContainerFormat MPEG_TS: all tracks of one KVS fragment, PAT + PMT first, one PES per access unit
// with PTS (and DTS when it differs) on the 90 kHz clock, video as Annex-B with an AUD and the
// parameter sets before key frames, AAC in ADTS, PCR on the video PID. Continuity counters continue
// across the fragments of a session when the caller passes back what the previous call returned.
import type { Issue } from '../issues';
import { issue } from '../issues';
import { crc32Mpeg2 } from '../mpegts/crc32';
import { forEachNal, H264_AUD_NAL, H265_AUD_NAL, scanAccessUnit, START_CODE } from './nal';
import type { AuScan } from './nal';
import { trackConfig } from './tracks';
import type { PackagedBytes, PackagingSample, PackagingTrack } from './types';

export interface TsFragmentOptions {
  /** The next continuity_counter per PID, as the previous fragment of the session returned them (default 0). */
  continuityCounters?: Readonly<Record<number, number>>;
  /** Added to every time before the conversion to 90 kHz. */
  timeOffsetMs?: number;
}

export interface TsFragment extends PackagedBytes {
  /** The next continuity_counter per PID written: pass as `continuityCounters` for the next fragment. */
  continuityCounters: Record<number, number>;
}

export const TS_PACKET_SIZE = 188;
export const PAT_PID = 0;
export const PMT_PID = 0x1000;
/** Elementary streams get PIDs 0x100, 0x101, … in the order of the tracks passed in. */
export const FIRST_STREAM_PID = 0x100;
const PROGRAM_NUMBER = 1;
const TRANSPORT_STREAM_ID = 1;
/** The PCR is sent this long before the DTS of the access unit it is stamped on. */
const PCR_LEAD_90K = 9000;
const WRAP = 2 ** 33;

const STREAM_TYPES: Record<string, number> = { h264: 0x1b, h265: 0x24, aac: 0x0f };

interface StreamPlan {
  track: PackagingTrack;
  pid: number;
  streamId: number;
  streamType: number;
  parameterSets: Uint8Array[];
  lengthSize: number;
  /** 7-byte ADTS header with frame_length 0 (AAC). */
  adts?: Uint8Array;
}

interface AuPlan {
  stream: StreamPlan;
  sample: PackagingSample;
  index: number;
  pts: number;
  dts: number;
  scan?: AuScan;
  aud: Uint8Array | null;
  params: boolean;
  /** AAC data that already has an ADTS header: written as is. */
  passAdts: boolean;
  payload: number;
  headerBytes: number;
  pcr: number | null;
  af: number;
}

/**
 * One transport stream fragment with every track's samples. `samplesPerTrack` is parallel to
 * `tracks`, or a map by track number (as `clusterSamples` returns). Tracks MPEG-TS cannot carry
 * the way KVS does (G.711) are left out with an issue.
 */
export function tsFragment(
  tracks: readonly PackagingTrack[],
  samplesPerTrack: ReadonlyMap<number, readonly PackagingSample[]> | readonly (readonly PackagingSample[] | undefined)[],
  options: TsFragmentOptions = {},
): TsFragment {
  const issues: Issue[] = [];
  const streams: StreamPlan[] = [];
  const samplesOf: (readonly PackagingSample[])[] = [];
  let video = 0;
  let audio = 0;
  tracks.forEach((track, i) => {
    const samples = samplesPerTrack instanceof Map ? samplesPerTrack.get(track.trackNumber) : (samplesPerTrack as readonly (readonly PackagingSample[] | undefined)[])[i];
    const streamType = STREAM_TYPES[track.codec];
    if (streamType === undefined) {
      issues.push(issue('warning', 'PACKAGE_TS_UNSUPPORTED_CODEC', `Track ${track.trackNumber} (${track.codec}) is left out: KVS carries H.264, H.265 and AAC in MPEG-TS.`, 0));
      return;
    }
    const config = trackConfig(track);
    issues.push(...config.issues);
    const stream: StreamPlan = {
      track,
      pid: FIRST_STREAM_PID + streams.length,
      streamId: track.kind === 'video' ? 0xe0 + (video++ & 15) : 0xc0 + (audio++ & 31),
      streamType,
      parameterSets: config.parameterSets,
      lengthSize: config.lengthSize,
    };
    if (track.codec === 'aac') stream.adts = adtsTemplate(track, issues);
    streams.push(stream);
    samplesOf.push(samples ?? []);
  });
  const pcrStream = streams.find((s) => s.track.kind === 'video') ?? streams[0];
  const offsetMs = options.timeOffsetMs ?? 0;

  // Plan every access unit: sizes first.
  const aus: AuPlan[] = [];
  streams.forEach((stream, s) => {
    const samples = samplesOf[s] ?? [];
    const h265 = stream.track.codec === 'h265';
    let lastDts = -Infinity;
    samples.forEach((sample, index) => {
      const ptsMs = sample.ptsMs + offsetMs;
      const dtsMs = (sample.dtsMs ?? sample.ptsMs) + offsetMs;
      if (!Number.isFinite(ptsMs) || !Number.isFinite(dtsMs)) {
        issues.push(issue('error', 'PACKAGE_BAD_TIME', `Track ${stream.track.trackNumber} sample ${index} has no finite time; it is left out.`, index));
        return;
      }
      if (sample.data.length === 0) {
        issues.push(issue('warning', 'PACKAGE_EMPTY_SAMPLE', `Track ${stream.track.trackNumber} sample ${index} is empty; it is left out.`, index));
        return;
      }
      const pts = Math.round(ptsMs * 90);
      const dts = Math.min(pts, Math.round(dtsMs * 90));
      if (dts < lastDts) {
        issues.push(issue('warning', 'PACKAGE_DTS_NOT_INCREASING', `Track ${stream.track.trackNumber} sample ${index}: its DTS is before the previous sample's.`, index));
      }
      lastDts = dts;
      const au: AuPlan = { stream, sample, index, pts, dts, aud: null, params: false, passAdts: false, payload: 0, headerBytes: 0, pcr: null, af: 0 };
      if (stream.track.kind === 'video') {
        const scan = scanAccessUnit(sample.data, stream.lengthSize, h265);
        au.scan = scan;
        if (!scan.annexB && scan.end !== sample.data.length) {
          issues.push(
            issue(
              'error',
              'PACKAGE_NAL_LENGTHS',
              `Track ${stream.track.trackNumber} sample ${index}: NAL length prefixes run past its ${sample.data.length} bytes at byte ${scan.end}; the rest is left out.`,
              index,
            ),
          );
        }
        if (scan.annexB) {
          issues.push(issue('warning', 'PACKAGE_ANNEXB_SAMPLE', `Track ${stream.track.trackNumber} sample ${index} holds Annex-B start codes, not length-prefixed NAL units; copied as is.`, index));
        }
        au.aud = scan.annexB && scan.startsWithAud ? null : h265 ? H265_AUD_NAL : H264_AUD_NAL;
        au.params = sample.keyframe && !scan.hasSps && stream.parameterSets.length > 0;
        au.payload = (au.aud?.length ?? 0) + scan.annexBBytes + (au.params ? stream.parameterSets.reduce((n, ps) => n + START_CODE.length + ps.length, 0) : 0);
        if (au.payload === (au.aud?.length ?? 0)) {
          issues.push(issue('warning', 'PACKAGE_EMPTY_SAMPLE', `Track ${stream.track.trackNumber} sample ${index} has no NAL units; it is left out.`, index));
          return;
        }
      } else {
        au.passAdts = isAdtsFrame(sample.data);
        if (au.passAdts) {
          issues.push(issue('info', 'PACKAGE_ADTS_SAMPLE', `Track ${stream.track.trackNumber} sample ${index} already has an ADTS header; copied as is.`, index));
        } else if (sample.data.length + 7 > 0x1fff) {
          issues.push(issue('error', 'PACKAGE_AAC_FRAME_TOO_LONG', `Track ${stream.track.trackNumber} sample ${index} has ${sample.data.length} bytes; an ADTS frame holds at most 8184.`, index));
          return;
        }
        au.payload = sample.data.length + (au.passAdts ? 0 : 7);
      }
      au.headerBytes = 9 + (au.dts !== au.pts ? 10 : 5);
      if (stream === pcrStream) au.pcr = Math.max(0, au.dts - PCR_LEAD_90K);
      const afFlags = au.pcr !== null || sample.keyframe;
      au.af = afFlags ? 2 + (au.pcr !== null ? 6 : 0) : 0;
      aus.push(au);
    });
  });
  // Interleave by decode time (stable: track order breaks ties).
  const order = aus.map((_, i) => i).sort((a, b) => (aus[a]?.dts ?? 0) - (aus[b]?.dts ?? 0) || a - b);

  let packets = 2;
  for (const au of aus) packets += pesPackets(au.headerBytes + au.payload, au.af);
  const out = new Uint8Array(packets * TS_PACKET_SIZE);
  const w = new TsWriter(out, options.continuityCounters ?? {});

  w.section(PAT_PID, patSection());
  w.section(PMT_PID, pmtSection(streams, pcrStream?.pid ?? 0x1fff));
  for (const i of order) {
    const au = aus[i];
    if (au) writeAu(w, au);
  }
  if (w.pos !== out.length) {
    // A sizing bug, not bad input: say so rather than return a damaged stream silently.
    issues.push(issue('error', 'PACKAGE_INTERNAL_SIZE', `Planned ${out.length} bytes, wrote ${w.pos}.`, 0));
  }
  return { bytes: out.subarray(0, w.pos), issues, continuityCounters: w.counters() };
}

/** Packets for a PES of `length` bytes whose first packet has an adaptation field of `af` bytes (0: none). */
function pesPackets(length: number, af: number): number {
  const first = TS_PACKET_SIZE - 4 - af;
  if (length <= first) return 1;
  return 1 + Math.ceil((length - first) / (TS_PACKET_SIZE - 4));
}

function isAdtsFrame(data: Uint8Array): boolean {
  if (data.length < 7 || data[0] !== 0xff || ((data[1] ?? 0) & 0xf6) !== 0xf0) return false;
  const length = (((data[3] ?? 0) & 3) << 11) | ((data[4] ?? 0) << 3) | ((data[5] ?? 0) >> 5);
  return length === data.length;
}

const SAMPLING_FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The fixed part of the ADTS header from the AudioSpecificConfig (core object type and rate for HE-AAC). */
function adtsTemplate(track: PackagingTrack, issues: Issue[]): Uint8Array {
  const asc = trackConfig(track).asc;
  let objectType = asc?.derived.objectType;
  let sfi = asc?.fields.samplingFrequencyIndex;
  let channels = asc?.fields.channelConfiguration;
  const rate = asc?.derived.sampleRate ?? track.sampleRate;
  if (typeof sfi !== 'number' || sfi > 12) {
    const exact = rate === undefined ? -1 : SAMPLING_FREQUENCIES.indexOf(rate);
    if (exact >= 0) sfi = exact;
    else {
      // Nearest listed rate.
      let best = 3;
      if (rate !== undefined) {
        for (let i = 0; i < SAMPLING_FREQUENCIES.length; i++) {
          if (Math.abs((SAMPLING_FREQUENCIES[i] ?? 0) - rate) < Math.abs((SAMPLING_FREQUENCIES[best] ?? 0) - rate)) best = i;
        }
      }
      sfi = best;
      issues.push(issue('warning', 'PACKAGE_ADTS_RATE', `Track ${track.trackNumber}: ${rate ?? 'an unknown'} Hz has no ADTS sampling_frequency_index; using ${SAMPLING_FREQUENCIES[best]} Hz.`, 0));
    }
  }
  if (objectType === undefined || objectType < 1 || objectType > 4) {
    if (objectType !== undefined || asc) {
      issues.push(issue('warning', 'PACKAGE_ADTS_PROFILE', `Track ${track.trackNumber}: audio object type ${objectType ?? 'unknown'} cannot be signalled in ADTS; writing AAC LC.`, 0));
    }
    objectType = 2;
  }
  if (typeof channels !== 'number' || channels > 7) channels = Math.min(7, track.channels ?? 2);
  if (channels === 0) {
    issues.push(issue('warning', 'PACKAGE_ADTS_CHANNELS', `Track ${track.trackNumber}: channelConfiguration 0 (a program_config_element) is not carried into ADTS.`, 0));
  }
  const profile = objectType - 1;
  return new Uint8Array([0xff, 0xf1, (profile << 6) | (sfi << 2) | (channels >> 2), (channels & 3) << 6, 0, 0x1f, 0xfc]);
}

function patSection(): Uint8Array {
  const s = [0x00, 0xb0, 13, TRANSPORT_STREAM_ID >> 8, TRANSPORT_STREAM_ID & 0xff, 0xc1, 0x00, 0x00, PROGRAM_NUMBER >> 8, PROGRAM_NUMBER & 0xff, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff];
  return withCrc(s);
}

function pmtSection(streams: readonly StreamPlan[], pcrPid: number): Uint8Array {
  const length = 9 + streams.length * 5 + 4;
  const s = [0x02, 0xb0 | (length >> 8), length & 0xff, PROGRAM_NUMBER >> 8, PROGRAM_NUMBER & 0xff, 0xc1, 0x00, 0x00, 0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0x00];
  for (const stream of streams) s.push(stream.streamType, 0xe0 | (stream.pid >> 8), stream.pid & 0xff, 0xf0, 0x00);
  return withCrc(s);
}

function withCrc(section: number[]): Uint8Array {
  const bytes = new Uint8Array(section.length + 4);
  bytes.set(section);
  const crc = crc32Mpeg2(bytes, 0, section.length);
  bytes[section.length] = crc >>> 24;
  bytes[section.length + 1] = (crc >>> 16) & 0xff;
  bytes[section.length + 2] = (crc >>> 8) & 0xff;
  bytes[section.length + 3] = crc & 0xff;
  return bytes;
}

function mod33(t: number): number {
  const m = t % WRAP;
  return m < 0 ? m + WRAP : m;
}

/** Writes a PTS or DTS field: 4-bit prefix, 33-bit time with marker bits. */
function writeTimestamp(out: Uint8Array, at: number, prefix: number, time: number): void {
  const t = mod33(time);
  const high = Math.floor(t / 2 ** 30);
  const low = t % 2 ** 30;
  out[at] = (prefix << 4) | ((high & 7) << 1) | 1;
  out[at + 1] = (low >>> 22) & 0xff;
  out[at + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
  out[at + 3] = (low >>> 7) & 0xff;
  out[at + 4] = ((low & 0x7f) << 1) | 1;
}

function writeAu(w: TsWriter, au: AuPlan): void {
  const { stream, sample } = au;
  const header = new Uint8Array(au.headerBytes);
  const video = stream.track.kind === 'video';
  const hasDts = au.dts !== au.pts;
  const pesLength = 3 + (au.headerBytes - 9) + au.payload;
  header[2] = 1;
  header[3] = stream.streamId;
  const declared = video || pesLength > 0xffff ? 0 : pesLength;
  header[4] = declared >> 8;
  header[5] = declared & 0xff;
  header[6] = 0x84; // '10', data_alignment_indicator
  header[7] = hasDts ? 0xc0 : 0x80;
  header[8] = au.headerBytes - 9;
  writeTimestamp(header, 9, hasDts ? 3 : 2, au.pts);
  if (hasDts) writeTimestamp(header, 14, 1, au.dts);

  w.startPes(stream.pid, au.headerBytes + au.payload, sample.keyframe, au.pcr);
  w.write(header);
  const data = sample.data;
  if (video) {
    if (au.aud) w.write(au.aud);
    if (au.params) {
      for (const ps of stream.parameterSets) {
        w.write(START_CODE);
        w.write(ps);
      }
    }
    const scan = au.scan;
    if (scan?.annexB) w.write(data);
    else if (scan) {
      forEachNal(data, stream.lengthSize, scan.end, stream.track.codec === 'h265', (start, end) => {
        w.write(START_CODE);
        w.write(data, start, end);
      });
    }
  } else if (au.passAdts) {
    w.write(data);
  } else if (stream.adts) {
    const adts = stream.adts.slice();
    const length = data.length + 7;
    adts[3] = (adts[3] ?? 0) | ((length >> 11) & 3);
    adts[4] = (length >> 3) & 0xff;
    adts[5] = ((length & 7) << 5) | 0x1f;
    w.write(adts);
    w.write(data);
  }
  w.endPes();
}

/** Writes 188-byte packets into a buffer sized beforehand; PES payloads flow across packets. */
class TsWriter {
  pos = 0;
  private readonly cc = new Map<number, number>();
  private pid = 0;
  /** PES bytes not yet written. */
  private remaining = 0;
  /** Payload bytes left in the current packet. */
  private room = 0;

  constructor(
    private readonly out: Uint8Array,
    initial: Readonly<Record<number, number>>,
  ) {
    for (const [pid, value] of Object.entries(initial)) {
      if (Number.isInteger(value)) this.cc.set(Number(pid), value & 15);
    }
  }

  counters(): Record<number, number> {
    const result: Record<number, number> = {};
    for (const [pid, value] of this.cc) result[pid] = value;
    return result;
  }

  private nextCc(pid: number): number {
    const value = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (value + 1) & 15);
    return value;
  }

  /**
   * Packet header and adaptation field for a packet carrying `payload` bytes; `flags`/`pcr` only on a
   * PES's first packet. Stuffing fills the packet to 188 bytes.
   */
  private header(pid: number, pusi: boolean, payload: number, randomAccess: boolean, pcr: number | null): void {
    const out = this.out;
    let at = this.pos;
    out[at] = 0x47;
    out[at + 1] = (pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    out[at + 2] = pid & 0xff;
    const afBytes = TS_PACKET_SIZE - 4 - payload; // adaptation field incl. its length byte
    out[at + 3] = (afBytes > 0 ? 0x30 : 0x10) | this.nextCc(pid);
    at += 4;
    if (afBytes > 0) {
      out[at++] = afBytes - 1;
      if (afBytes > 1) {
        out[at++] = (randomAccess ? 0x40 : 0) | (pcr !== null ? 0x10 : 0);
        let used = 1;
        if (pcr !== null) {
          const base = mod33(pcr);
          out[at] = Math.floor(base / 2 ** 25) & 0xff;
          out[at + 1] = Math.floor(base / 2 ** 17) & 0xff;
          out[at + 2] = Math.floor(base / 2 ** 9) & 0xff;
          out[at + 3] = Math.floor(base / 2) & 0xff;
          out[at + 4] = ((base % 2) << 7) | 0x7e; // extension 0
          out[at + 5] = 0;
          at += 6;
          used += 6;
        }
        out.fill(0xff, at, at + afBytes - 1 - used);
        at += afBytes - 1 - used;
      }
    }
    this.pos = at;
  }

  /** A PSI section in one packet (pointer_field 0, 0xFF after the section). */
  section(pid: number, section: Uint8Array): void {
    const start = this.pos;
    this.header(pid, true, TS_PACKET_SIZE - 4, false, null);
    this.out[this.pos++] = 0;
    this.out.set(section, this.pos);
    this.pos += section.length;
    this.out.fill(0xff, this.pos, start + TS_PACKET_SIZE);
    this.pos = start + TS_PACKET_SIZE;
  }

  startPes(pid: number, length: number, randomAccess: boolean, pcr: number | null): void {
    this.pid = pid;
    this.remaining = length;
    const af = randomAccess || pcr !== null ? 2 + (pcr !== null ? 6 : 0) : 0;
    const payload = Math.min(length, TS_PACKET_SIZE - 4 - af);
    this.header(pid, true, payload, randomAccess, pcr);
    this.room = payload;
  }

  write(src: Uint8Array, start = 0, end = src.length): void {
    while (start < end) {
      if (this.room === 0) {
        const payload = Math.min(this.remaining, TS_PACKET_SIZE - 4);
        this.header(this.pid, false, payload, false, null);
        this.room = payload;
      }
      const n = Math.min(this.room, end - start);
      if (n <= 16) {
        // Start codes, AUDs, ADTS headers: a loop beats making a view for set().
        const out = this.out;
        for (let k = 0; k < n; k++) out[this.pos + k] = src[start + k] ?? 0;
      } else {
        this.out.set(start === 0 && n === src.length ? src : src.subarray(start, start + n), this.pos);
      }
      this.pos += n;
      this.room -= n;
      this.remaining -= n;
      start += n;
    }
  }

  endPes(): void {
    this.room = 0;
    this.remaining = 0;
  }
}
