// The frames of MPEG-TS audio PES packets (AAC in ADTS or LATM, MPEG audio, AC-3 and E-AC-3, Opus): a PES
// holds several, and a demuxer (ffprobe too) gives a packet per frame, so the frame table gets a row per frame.
import type { ByteSource } from '../byteSource';
import { ac3CodecString, mpegAudioCodecString, mpegAudioName, opusPacketSamples, readAc3FrameInfo, readAdtsFrameInfo, readLatmStreamMuxConfig, readLoasFrameLength, readMpegAudioFrameInfo, readOpusControlHeader } from '../codecs';
import { issue, type Issue } from '../issues';
import { gatherPes, pesByteOffset, pesIndexesOf, pesSpan, SpanCursor, type MpegTsFile, type TsStream } from '../mpegts';
import { decodeCodecPrivate } from './codecPrivate';
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

interface AudioFraming {
  /** The frames' name in messages, and the prefix of the issue codes (`ADTS_FRAME_INVALID`). */
  name: string;
  code: string;
  read(payload: Uint8Array, position: number): FrameHeader | undefined;
}

const MPEG_AUDIO: AudioFraming = {
  name: 'MPEG audio',
  code: 'MPEG_AUDIO',
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
function aacFraming(track: TrackReport, name: string, code: string, read: (payload: Uint8Array, position: number) => Omit<FrameHeader, 'duration'> | undefined): AudioFraming | undefined {
  if (!track.sampleRate || !track.samplesPerFrame) return undefined;
  const duration = (track.samplesPerFrame * TS_CLOCK_HZ) / track.sampleRate;
  return {
    name,
    code,
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
      return aacFraming(track, 'ADTS', 'ADTS', adtsHeader);
    case 'aac_latm':
      return aacFraming(track, 'LOAS', 'LATM', loasHeader);
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
      return firstHeaderFormat(source, ts, stream.pid);
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

/** From the first frame header of an MPEG audio or AC-3 PID. */
function firstHeaderFormat(source: ByteSource, ts: MpegTsFile, pid: number): Partial<TrackReport> {
  const [first] = pesIndexesOf(ts, pid, 1);
  if (first === undefined) return {};
  const payload = gatherPes(source, ts, first, 16);
  const mpeg = readMpegAudioFrameInfo(payload);
  if (mpeg) return { codec: mpegAudioCodecString(mpeg.version), codecName: mpegAudioName(mpeg), sampleRate: mpeg.sampleRate, channels: mpeg.channels };
  const ac3 = readAc3FrameInfo(payload);
  if (ac3) return { codec: ac3CodecString(ac3.enhanced), codecName: ac3Name(ac3.enhanced), sampleRate: ac3.sampleRate, channels: ac3.channels };
  return {};
}

/**
 * The frame rows of audio PES packets: one per frame, each frame's time the PES time plus the durations
 * of the frames before it. A PES whose headers do not tile it, or whose header changes the format, is
 * reported once per PID.
 */
export class AudioFrameSplitter {
  private readonly pids = new Map<number, { framing: AudioFraming; format: string; reported: Set<string> }>();

  constructor(private readonly source: ByteSource, private readonly ts: MpegTsFile, tracks: readonly TrackReport[], private readonly issues: Issue[]) {
    for (const stream of ts.streams) {
      const track = tracks.find((candidate) => candidate.number === stream.pid);
      const framing = track && framingOf(stream, track);
      if (framing) this.pids.set(stream.pid, { framing, format: '', reported: new Set() });
    }
  }

  /** Pushes the rows of PES `index` when it is audio split into frames: false for other PIDs and empty PES packets. */
  split(index: number, frames: FrameTable, bytes: TsFrameBytes): boolean {
    const { pes } = this.ts;
    const pid = pes.pid[index] ?? 0;
    const state = this.pids.get(pid);
    if (!state || (pes.size[index] ?? 0) === 0) return false;
    const { framing } = state;
    const payload = gatherPes(this.source, this.ts, index);
    const pts = pes.pts[index] ?? NaN;
    const at = (position: number) => pesByteOffset(this.ts, index, position);
    const cursor = new SpanCursor(this.ts, pesSpan(this.ts, index));
    let position = 0;
    let elapsed = 0;
    while (position < payload.length) {
      const header = framing.read(payload, position);
      const whole = header !== undefined && header.length > 0 && position + header.length <= payload.length;
      const size = whole ? header.length : payload.length - position;
      if (!whole) {
        this.once(state, `${framing.code}_FRAME_INVALID`, `PID ${pid}: no ${framing.name} frame of its declared length at PES byte ${position}; the rest of the PES (${size} bytes) is one frame row`, at(position));
      } else if (!state.format) {
        state.format = header.format;
      } else if (header.format !== state.format) {
        this.once(state, `${framing.code}_FORMAT_CHANGED`, `PID ${pid}: a ${framing.name} header changes the audio format (${header.format}, after ${state.format})`, at(position));
      }
      const time = (pts + elapsed) / (TS_CLOCK_HZ / 1000);
      const prefix = whole ? (header.prefix ?? 0) : 0;
      bytes.begin(frames.count, cursor.spanAt(position + prefix, size - prefix));
      pushFrame(frames, { track: pid, fragment: 0, offset: at(position + prefix), size: size - prefix, ptsMs: time, dtsMs: time, keyframe: true });
      elapsed += whole ? header.duration : 0;
      position += size;
    }
    return true;
  }

  private once(state: { reported: Set<string> }, code: string, message: string, offset: number): void {
    if (state.reported.has(code)) return;
    state.reported.add(code);
    this.issues.push(issue('warning', code, message, offset));
  }
}
