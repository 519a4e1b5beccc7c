// The frames of MPEG-TS audio PES packets (AAC in ADTS or LATM, MPEG audio, AC-3 and E-AC-3, Opus): a PES
// holds several, and a demuxer (ffprobe too) gives a packet per frame, so the frame table gets a row per frame.
import type { ByteSource } from '../byteSource';
import { ac3CodecString, ac3FrameLengthAt, mpegAudioFrameLengthAt, mpegAudioName, opusPacketSamples, readAc3FrameInfo, readAdtsFrameInfo, readLatmStreamMuxConfig, readLoasFrameLength, readMpegAudioFrameInfo, readOpusControlHeader } from '../codecs';
import { issue, type Issue, type Severity } from '../issues';
import { findFrameStart, firstFrameOfPid } from './audioFrameSearch';
import { gatherPes, gatherSpan, PES_CC_ERROR, PES_INVALID, PES_TRUNCATED, pesByteOffset, pesIndexesOf, pesSpan, SpanCursor, spanByteOffset, type MpegTsFile, type PayloadSpan, type TsStream } from '../mpegts';
import { decodeCodecPrivate } from './codecPrivate';
import { mpegAudioFormat } from './otherCodecs';
import { pushFrame, type FrameTable, type TrackReport } from './report';
import type { TsFrameBytes } from './tsFrameBytes';

const TS_CLOCK_HZ = 90_000;

/** What the frame rows need of one frame's header. */
interface FrameHeader {
  length: number;
  /** Bytes of a transport header before the frame itself (Opus's control header): not in the frame's row. */
  prefix?: number;
  /** In 90 kHz ticks. */
  duration: number;
  /** The audio format it declares, in words: it should not change within a PID. */
  format: string;
}

/** A header's sync bits: bytes[i] & mask[i] === value[i]. */
interface SyncBits {
  value: readonly number[];
  mask: readonly number[];
  /** In messages: the sync pattern's name and value. */
  text: string;
}

interface AudioFraming {
  /** The frames' name in messages (after "an"), and the prefix of the issue codes (`ADTS_FRAME_INVALID`). */
  name: string;
  code: string;
  sync: SyncBits;
  read(payload: Uint8Array, position: number): FrameHeader | undefined;
}

const ADTS_SYNC: SyncBits = { value: [0xff, 0xf0], mask: [0xff, 0xf0], text: 'syncword 0xFFF' };
const LOAS_SYNC: SyncBits = { value: [0x56, 0xe0], mask: [0xff, 0xe0], text: 'syncword 0x2B7' };

const MPEG_AUDIO: AudioFraming = {
  name: 'MPEG audio',
  code: 'MPEG_AUDIO',
  sync: { value: [0xff, 0xe0], mask: [0xff, 0xe0], text: 'frame sync (11 bits set)' },
  read(payload, position) {
    const info = readMpegAudioFrameInfo(payload, position);
    return info && { length: info.frameLength, duration: (info.samples * TS_CLOCK_HZ) / info.sampleRate, format: `${mpegAudioName(info)}, ${info.sampleRate} Hz, ${info.channels} channels` };
  },
};

function ac3Name(enhanced: boolean): string {
  return enhanced ? 'E-AC-3' : 'AC-3';
}

const AC3: AudioFraming = {
  name: 'AC-3',
  code: 'AC3',
  sync: { value: [0x0b, 0x77], mask: [0xff, 0xff], text: 'syncword 0x0B77' },
  read(payload, position) {
    const info = readAc3FrameInfo(payload, position);
    return info && { length: info.frameLength, duration: (info.samples * TS_CLOCK_HZ) / info.sampleRate, format: `${ac3Name(info.enhanced)}, ${info.sampleRate} Hz, ${info.channels} channels` };
  },
};

/** Opus decodes at 48 kHz whatever the input's rate (RFC 7845 §5.1). */
const OPUS_RATE = 48_000;

const OPUS: AudioFraming = {
  name: 'Opus access unit',
  code: 'OPUS',
  sync: { value: [0x7f, 0xe0], mask: [0xff, 0xe0], text: 'opus_control_header_prefix 0x3FF' },
  read(payload, position) {
    const unit = readOpusControlHeader(payload, position);
    if (!unit) return undefined;
    const length = unit.headerLength + unit.packetLength;
    const samples = opusPacketSamples(payload, position + unit.headerLength, Math.min(payload.length, position + length)) ?? 0;
    return { length, prefix: unit.headerLength, duration: (samples * TS_CLOCK_HZ) / OPUS_RATE, format: 'Opus' };
  },
};

/**
 * AAC headers (ADTS, LOAS) give no frame duration: it comes from the track's AudioSpecificConfig (1024 or
 * 2048 samples per frame); no framing without one.
 */
function aacFraming(track: TrackReport, name: string, code: string, sync: SyncBits, read: (payload: Uint8Array, position: number) => Omit<FrameHeader, 'duration'> | undefined): AudioFraming | undefined {
  if (!track.sampleRate || !track.samplesPerFrame) return undefined;
  const duration = (track.samplesPerFrame * TS_CLOCK_HZ) / track.sampleRate;
  return {
    name,
    code,
    sync,
    read(payload, position) {
      const header = read(payload, position);
      return header && { ...header, duration };
    },
  };
}

function adtsHeader(payload: Uint8Array, position: number): Omit<FrameHeader, 'duration'> | undefined {
  const info = readAdtsFrameInfo(payload, position);
  return info && {
    length: info.frameLength,
    format: `object type ${info.audioObjectType}, sampling_frequency_index ${info.samplingFrequencyIndex}, channel_configuration ${info.channelConfiguration}`,
  };
}

function loasHeader(payload: Uint8Array, position: number): Omit<FrameHeader, 'duration'> | undefined {
  const length = readLoasFrameLength(payload, position);
  return length === undefined ? undefined : { length, format: 'AAC in LATM' };
}

function framingOf(stream: TsStream, track: TrackReport): AudioFraming | undefined {
  switch (stream.codec) {
    case 'aac':
      return aacFraming(track, 'ADTS', 'ADTS', ADTS_SYNC, adtsHeader);
    case 'aac_latm':
      return aacFraming(track, 'LOAS', 'LATM', LOAS_SYNC, loasHeader);
    case 'mp1/mp2':
    case 'mp2/mp3':
      return MPEG_AUDIO;
    case 'ac3':
    case 'eac3':
      return AC3;
    case 'opus':
      return OPUS;
    default:
      return undefined;
  }
}

/**
 * The codec, sample rate and channels of a LATM, MPEG audio, AC-3 or Opus PID (these streams have no codec
 * private data in the PMT); nothing for other PIDs.
 */
export function audioFormatFromFrames(source: ByteSource, ts: MpegTsFile, stream: TsStream): Partial<TrackReport> {
  switch (stream.codec) {
    case 'aac_latm':
      return latmFormat(source, ts, stream.pid);
    case 'mp1/mp2':
    case 'mp2/mp3':
    case 'ac3':
    case 'eac3':
      return firstHeaderFormat(source, ts, stream);
    case 'opus':
      return { codec: 'opus', codecName: 'Opus', sampleRate: OPUS_RATE, channels: opusDescriptorChannels(stream) };
    default:
      return {};
  }
}

/** How many PES packets of a LATM PID to search for a StreamMuxConfig (muxers repeat it every few frames). */
const LATM_CONFIG_SEARCH = 32;

/** From the AudioSpecificConfig of the PID's first StreamMuxConfig. */
function latmFormat(source: ByteSource, ts: MpegTsFile, pid: number): Partial<TrackReport> {
  for (const index of pesIndexesOf(ts, pid, LATM_CONFIG_SEARCH)) {
    const config = readLatmStreamMuxConfig(gatherPes(source, ts, index));
    if (!config) continue;
    const { codec, codecName, sampleRate, channels, samplesPerFrame } = decodeCodecPrivate('aac', config.audioSpecificConfig, pesByteOffset(ts, index, 0)).track;
    return { codec, codecName: codecName && `${codecName} (LATM)`, sampleRate, channels, samplesPerFrame: samplesPerFrame && samplesPerFrame * config.framesPerElement };
  }
  return {};
}

/**
 * The channel count of the PMT's opus_audio_descriptor (extension descriptor 0x7f, extension tag 0x80):
 * channel_config_code 1–8 is the count, 0 and 0x80 two channels (dual mono); other codes leave it open.
 */
function opusDescriptorChannels(stream: TsStream): number | undefined {
  const data = stream.descriptors.find((d) => d.tag === 0x7f && d.data[0] === 0x80)?.data;
  const code = data?.[1];
  if (code === undefined) return undefined;
  if (code >= 1 && code <= 8) return code;
  return code === 0 || code === 0x80 ? 2 : undefined;
}

/** From the first frame header of an MPEG audio or AC-3 PID (firstFrameOfPid). */
function firstHeaderFormat(source: ByteSource, ts: MpegTsFile, stream: TsStream): Partial<TrackReport> {
  const ac3 = stream.codec === 'ac3' || stream.codec === 'eac3';
  const found = firstFrameOfPid(source, ts, stream.pid, ac3 ? ac3FrameLengthAt : mpegAudioFrameLengthAt);
  return (found && (ac3 ? ac3Format(found.payload, found.at) : mpegAudioFormat(found.payload, found.at))) ?? {};
}

function ac3Format(bytes: Uint8Array, at: number): Partial<TrackReport> | undefined {
  const ac3 = readAc3FrameInfo(bytes, at);
  return ac3 && { codec: ac3CodecString(ac3.enhanced), codecName: ac3Name(ac3.enhanced), sampleRate: ac3.sampleRate, channels: ac3.channels };
}

/** Enough bytes to complete any frame header that the end of a PES cuts (Opus's control header with its sizes and trims, then its TOC). */
const HEADER_LOOKAHEAD = 64;

/**
 * The header at `position` read with its sync bits set, when the frame length it then gives leads exactly
 * to the next header or to the end of the PES: a syncword hit by damage (a flipped bit, a zeroed byte),
 * where random bytes would not line up so.
 */
function withSyncRestored(framing: AudioFraming, payload: Uint8Array, position: number): FrameHeader | undefined {
  const { value, mask } = framing.sync;
  const bytes = payload.slice(position, position + HEADER_LOOKAHEAD);
  if (bytes.length < value.length) return undefined;
  for (let i = 0; i < value.length; i++) bytes[i] = ((bytes[i] ?? 0) & ~(mask[i] ?? 0)) | (value[i] ?? 0);
  const header = framing.read(bytes, 0);
  if (!header || header.length <= 0) return undefined;
  const end = position + header.length;
  const nextFound = end < payload.length && (framing.read(payload, end)?.length ?? 0) > 0;
  return end === payload.length || nextFound ? header : undefined;
}

/** A PES whose payload is not whole: no frame runs on from it into the next. */
const PES_DAMAGED = PES_CC_ERROR | PES_TRUNCATED | PES_INVALID;

interface PidFrames {
  framing: AudioFraming;
  format: string;
  reported: Set<string>;
  /** Bytes at the start of the PID's next PES packets that belong to the frame of its last row. */
  carry: number;
  /**
   * In 90 kHz ticks: the last PTS that timed a frame (NaN when unknown), and the durations of the frames
   * since it, whose sum times the frame that follows them.
   */
  anchor: number;
  elapsed: number;
  /** Rows pushed while the anchor was unknown, with their durations: the next PTS times them backwards, as ffprobe does. */
  untimed: { row: number; duration: number }[];
  /** The last row is a frame, which ends where the next one begins: false at the start and after bytes that are no frame. */
  inStep: boolean;
  /** The PID's last frame row; -1 before its first. */
  lastRow: number;
}

/** Times the `untimed` rows, which end where `pts` (90 kHz ticks) begins, and empties the list. */
function timeBackwards(untimed: { row: number; duration: number }[], pts: number, frames: FrameTable): void {
  let time = pts;
  for (const { row, duration } of untimed.reverse()) {
    time -= duration;
    frames.ptsMs[row] = frames.dtsMs[row] = time / (TS_CLOCK_HZ / 1000);
  }
  untimed.length = 0;
}

/**
 * The frame rows of audio PES packets: one per frame. A PID's PES packets carry one stream of frames, which
 * they may cut anywhere (broadcast muxers fill PES packets of a fixed size): a frame that runs on into the
 * next PES is one row of its full length, and a header cut by the end of a PES is completed from the next.
 * A PES's PTS times the first frame that starts in it (ISO/IEC 13818-1 2.4.3.7); the other frames, and
 * those of a PES without a PTS, follow on from the frame before them. A header not where the frame before
 * it ends, or one that changes the format, is reported once per PID.
 */
export class AudioFrameSplitter {
  private readonly pids = new Map<number, PidFrames>();

  constructor(private readonly source: ByteSource, private readonly ts: MpegTsFile, tracks: readonly TrackReport[], private readonly issues: Issue[]) {
    for (const stream of ts.streams) {
      const track = tracks.find((candidate) => candidate.number === stream.pid);
      const framing = track && framingOf(stream, track);
      if (framing) this.pids.set(stream.pid, { framing, format: '', reported: new Set(), carry: 0, anchor: NaN, elapsed: 0, untimed: [], inStep: false, lastRow: -1 });
    }
  }

  /**
   * Pushes the rows of the frames that start in PES `index` when it is audio split into frames (none when
   * it lies inside a frame begun earlier): false for other PIDs and empty PES packets.
   */
  split(index: number, frames: FrameTable, bytes: TsFrameBytes): boolean {
    const { pes } = this.ts;
    const pid = pes.pid[index] ?? 0;
    const state = this.pids.get(pid);
    if (!state || (pes.size[index] ?? 0) === 0) return false;
    const { framing } = state;
    const payload = gatherPes(this.source, this.ts, index);
    let position = Math.min(state.carry, payload.length);
    state.carry -= position;
    if (state.carry > 0) return true;
    const at = (where: number) => pesByteOffset(this.ts, index, where);
    if (!state.inStep) position = this.resynchronise(state, pid, index, payload, position, frames);
    const cursor = new SpanCursor(this.ts, pesSpan(this.ts, index));
    const pts = pes.pts[index] ?? NaN; // the first frame that starts here takes it
    if (!Number.isNaN(pts) && position < payload.length) {
      state.anchor = pts;
      state.elapsed = 0;
      timeBackwards(state.untimed, pts, frames);
    }
    while (position < payload.length) {
      const header = this.frameAt(framing, index, payload, position) ?? this.withSyncDamaged(state, pid, payload, position, at(position));
      const time = state.anchor + state.elapsed;
      if (!header) {
        const size = payload.length - position;
        this.once(state, `${framing.code}_FRAME_INVALID`, `PID ${pid}: no ${framing.name} frame of its declared length at PES byte ${position}; the bytes from there to the next frame found (${size} in this PES) are one frame row`, at(position));
        this.push(state, frames, bytes, cursor.spanAt(position, size), time);
        state.anchor = NaN;
        state.untimed.length = 0; // the frames before these bytes: their length in time is unknown
        state.inStep = false;
        return true;
      }
      if (!state.format) {
        state.format = header.format;
      } else if (header.format !== state.format) {
        this.once(state, `${framing.code}_FORMAT_CHANGED`, `PID ${pid}: an ${framing.name} header changes the audio format (${header.format}, after ${state.format})`, at(position));
      }
      const prefix = header.prefix ?? 0;
      if (Number.isNaN(time)) state.untimed.push({ row: frames.count, duration: header.duration });
      this.push(state, frames, bytes, cursor.spanAt(position + prefix, header.length - prefix), time);
      state.elapsed += header.duration;
      state.inStep = true;
      position += header.length;
    }
    state.carry = position - payload.length;
    return true;
  }

  private push(state: PidFrames, frames: FrameTable, bytes: TsFrameBytes, span: PayloadSpan, time: number): void {
    state.lastRow = frames.count;
    bytes.begin(frames.count, span);
    const ms = time / (TS_CLOCK_HZ / 1000);
    pushFrame(frames, { track: span.pid, fragment: 0, offset: spanByteOffset(this.ts, span, 0), size: span.length, ptsMs: ms, dtsMs: ms, keyframe: true });
  }

  /**
   * The header of the frame at `position`: its frame whole in the PES, or running on into the PID's next
   * PES packets (the header completed from them when the PES cuts it); undefined when there is none.
   */
  private frameAt(framing: AudioFraming, index: number, payload: Uint8Array, position: number): FrameHeader | undefined {
    const rest = payload.length - position;
    let header = framing.read(payload, position);
    if (header && header.length > 0 && header.length <= rest) return header;
    if (((this.ts.pes.flags[index] ?? 0) & PES_DAMAGED) !== 0) return undefined;
    const next = this.bytesAfter(index);
    if (next.length === 0) return undefined; // the PID ends here: the frame is cut short
    if (!header && rest < HEADER_LOOKAHEAD) {
      const joined = new Uint8Array(rest + next.length);
      joined.set(payload.subarray(position));
      joined.set(next, rest);
      header = framing.read(joined, 0);
    }
    return header && header.length > rest ? header : undefined;
  }

  /** The frame at `position` when only its sync bits are damaged (withSyncRestored), reported once per PID. */
  private withSyncDamaged(state: PidFrames, pid: number, payload: Uint8Array, position: number, offset: number): FrameHeader | undefined {
    const { framing } = state;
    const header = withSyncRestored(framing, payload, position);
    if (header) {
      const found = Array.from(payload.subarray(position, position + framing.sync.value.length), (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join('');
      this.once(state, `${framing.code}_SYNC_DAMAGED`, `PID ${pid}: an ${framing.name} header at PES byte ${position} has 0x${found} where its ${framing.sync.text} should be; the frame length it gives leads to the next frame, so it is read as a frame (a decoder may drop it)`, offset);
    }
    return header;
  }

  /** The first bytes of the PID's payload after PES `index`. */
  private bytesAfter(index: number): Uint8Array {
    const { pes } = this.ts;
    const span = { pid: pes.pid[index] ?? 0, range: (pes.rangeStart[index] ?? 0) + (pes.rangeCount[index] ?? 0), skip: 0, length: HEADER_LOOKAHEAD };
    return gatherSpan(this.source, this.ts, span);
  }

  /**
   * Where the frames of a PES begin when no frame of the PID ended where one should begin: at its first
   * PES (a capture may begin inside a frame) or after bytes that are no frame. The bytes before the first
   * frame found are the end of a frame cut short: at the PID's start they have no row (said once), later
   * they join the row of the bytes before them.
   */
  private resynchronise(state: PidFrames, pid: number, index: number, payload: Uint8Array, position: number, frames: FrameTable): number {
    const { framing } = state;
    if (this.frameAt(framing, index, payload, position) || withSyncRestored(framing, payload, position)) return position;
    const found = findFrameStart(payload, position, (bytes, where) => framing.read(bytes, where)?.length);
    if (found <= position) return position;
    if (state.lastRow < 0) {
      this.once(state, `${framing.code}_STARTS_MID_FRAME`, `PID ${pid}: its first PES begins inside an ${framing.name} frame (the stream was cut there); those ${found - position} bytes have no frame row`, pesByteOffset(this.ts, index, position), 'info');
    } else {
      frames.size[state.lastRow] = (frames.size[state.lastRow] ?? 0) + found - position;
    }
    return found;
  }

  private once(state: { reported: Set<string> }, code: string, message: string, offset: number, severity: Severity = 'warning'): void {
    if (state.reported.has(code)) return;
    state.reported.add(code);
    this.issues.push(issue(severity, code, message, offset));
  }
}
