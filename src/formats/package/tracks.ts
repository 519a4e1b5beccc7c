// PackagingTrack from a Matroska TrackEntry or by hand, what the writers need from its codec private
// data (parsed once per track object), and the RFC 6381 codec string for HLS/DASH manifests.
import {
  aacCodecString,
  avcCodecStringFromRecord,
  avcCodecStringFromSps,
  hevcCodecStringFromRecord,
  hevcCodecStringFromSps,
  parseAudioSpecificConfig,
  parseAvcDecoderConfigurationRecord,
  parseHevcDecoderConfigurationRecord,
  parseWaveFormatEx,
} from '../codecs';
import type { AudioSpecificConfig, AvcDecoderConfigurationRecord, HevcDecoderConfigurationRecord } from '../codecs';
import type { Issue } from '../issues';
import { issue } from '../issues';
import type { MatroskaTrack } from '../matroska/model';
import type { PackagingCodec, PackagingTrack } from './types';

/** Timescale of video tracks: 90 kHz, exact for millisecond times and the MPEG-TS clock. */
export const VIDEO_TIMESCALE = 90000;

/** What the writers use from a track's codec private data. */
export interface TrackConfig {
  /** Video: VPS, SPS, PPS NAL units (no start codes) in that order, for Annex-B key frames. */
  parameterSets: Uint8Array[];
  /** Video: NAL length prefix size (1–4). */
  lengthSize: number;
  /** AAC: the parsed AudioSpecificConfig. */
  asc?: AudioSpecificConfig;
  avc?: AvcDecoderConfigurationRecord;
  hevc?: HevcDecoderConfigurationRecord;
  /** Problems with the codec private data (severity error: a player will likely fail). */
  issues: Issue[];
}

const configs = new WeakMap<PackagingTrack, TrackConfig>();

/** The parsed codec private data of a track (cached per track object; treat tracks as immutable). */
export function trackConfig(track: PackagingTrack): TrackConfig {
  const cached = configs.get(track);
  if (cached) return cached;
  const config = parseConfig(track);
  configs.set(track, config);
  return config;
}

function parseConfig(track: PackagingTrack): TrackConfig {
  const cp = track.codecPrivate;
  const config: TrackConfig = { parameterSets: [], lengthSize: 4, issues: [] };
  const where = `track ${track.trackNumber}`;
  const missing = (what: string): void => {
    config.issues.push(
      issue('error', 'PACKAGE_CODEC_PRIVATE_MISSING', `The ${what} track ${track.trackNumber} has no codec private data; players cannot decode it (KVS answers MissingCodecPrivateDataException).`, 0),
    );
  };
  const damaged = (what: string, parsed: { issues: Issue[] }): void => {
    const errors = parsed.issues.filter((i) => i.severity === 'error');
    if (errors.length === 0) return;
    config.issues.push(
      issue(
        'error',
        'PACKAGE_CODEC_PRIVATE_INVALID',
        `The ${what} of ${where} is damaged (${errors.map((e) => e.code).join(', ')}): players may not decode the track (KVS answers InvalidCodecPrivateDataException).`,
        0,
      ),
    );
  };
  switch (track.codec) {
    case 'h264': {
      if (cp.length === 0) {
        missing('H.264');
        return config;
      }
      const avc = parseAvcDecoderConfigurationRecord(cp);
      config.avc = avc;
      damaged('AVCDecoderConfigurationRecord', avc);
      config.lengthSize = lengthSizeOf(avc.derived.lengthSize, track, config);
      for (const ps of [...avc.sps, ...avc.pps]) config.parameterSets.push(cp.subarray(ps.offset, ps.offset + ps.length));
      if (avc.sps.length === 0) config.issues.push(issue('warning', 'PACKAGE_NO_PARAMETER_SETS', `The avcC of ${where} has no SPS: key frames must carry their own.`, 0));
      break;
    }
    case 'h265': {
      if (cp.length === 0) {
        missing('H.265');
        return config;
      }
      const hevc = parseHevcDecoderConfigurationRecord(cp);
      config.hevc = hevc;
      damaged('HEVCDecoderConfigurationRecord', hevc);
      config.lengthSize = lengthSizeOf(hevc.derived.lengthSize, track, config);
      for (const ps of [...hevc.vps, ...hevc.sps, ...hevc.pps]) config.parameterSets.push(cp.subarray(ps.offset, ps.offset + ps.length));
      if (hevc.sps.length === 0) config.issues.push(issue('warning', 'PACKAGE_NO_PARAMETER_SETS', `The hvcC of ${where} has no SPS: key frames must carry their own.`, 0));
      break;
    }
    case 'aac': {
      if (cp.length === 0) {
        missing('AAC');
        return config;
      }
      const asc = parseAudioSpecificConfig(cp);
      config.asc = asc;
      damaged('AudioSpecificConfig', asc);
      break;
    }
    case 'alaw':
    case 'mulaw':
      break;
  }
  return config;
}

function lengthSizeOf(declared: number | undefined, track: PackagingTrack, config: TrackConfig): number {
  const size = track.nalLengthSize ?? declared;
  if (size !== undefined && size >= 1 && size <= 4) return size;
  config.issues.push(issue('warning', 'PACKAGE_NAL_LENGTH_SIZE', `The NAL length size of track ${track.trackNumber} is unknown; assuming 4 bytes.`, 0));
  return 4;
}

/** Fields a caller may know better than the codec private data (Matroska settings). */
export interface PackagingTrackHints {
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  frameDurationMs?: number;
  timescale?: number;
}

/**
 * A PackagingTrack for `codec`, with size, aspect ratio, frame rate, sample rate and channels taken
 * from the codec private data (hints fill what it does not say). Problems are in the result's issues.
 */
export function packagingTrack(trackNumber: number, codec: PackagingCodec, codecPrivate: Uint8Array, hints: PackagingTrackHints = {}): { track: PackagingTrack; issues: Issue[] } {
  const kind = codec === 'h264' || codec === 'h265' ? 'video' : 'audio';
  const track: PackagingTrack = { trackNumber, kind, codec, codecPrivate, timescale: hints.timescale ?? VIDEO_TIMESCALE };
  const config = trackConfig(track);
  if (kind === 'video') {
    const sps = config.avc?.sps[0]?.derived ?? config.hevc?.sps[0]?.derived;
    const width = sps?.displayWidth ?? hints.width;
    const height = sps?.displayHeight ?? hints.height;
    if (width !== undefined) track.width = width;
    if (height !== undefined) track.height = height;
    const sar = sps?.sampleAspectRatio;
    if (sar && sar[0] > 0 && sar[1] > 0 && sar[0] !== sar[1]) track.sampleAspectRatio = [sar[0], sar[1]];
    const rate = sps?.frameRate;
    const frameMs = hints.frameDurationMs ?? (rate !== undefined && rate > 0 && rate < 1000 ? 1000 / rate : undefined);
    if (frameMs !== undefined) track.frameDurationMs = frameMs;
    if (config.avc?.derived.lengthSize !== undefined || config.hevc?.derived.lengthSize !== undefined) track.nalLengthSize = config.lengthSize;
  } else {
    const asc = config.asc?.derived;
    const rate = asc?.sampleRate ?? hints.sampleRate;
    const channels = asc?.channels ?? hints.channels;
    if (rate !== undefined && rate > 0) track.sampleRate = rate;
    if (channels !== undefined && channels > 0) track.channels = channels;
    track.timescale = hints.timescale ?? (track.sampleRate !== undefined ? Math.round(track.sampleRate) : 1000);
    if (codec === 'aac' && track.sampleRate !== undefined) track.frameDurationMs = ((asc?.frameLength ?? 1024) * 1000) / track.sampleRate;
    else if (hints.frameDurationMs !== undefined) track.frameDurationMs = hints.frameDurationMs;
  }
  return { track, issues: [...config.issues] };
}

const VIDEO_CODECS: Record<string, PackagingCodec> = {
  'V_MPEG4/ISO/AVC': 'h264',
  'V_MPEG/ISO/AVC': 'h264',
  'V_MPEGH/ISO/HEVC': 'h265',
  'V_MPEG/ISO/HEVC': 'h265',
};

/**
 * The PackagingTrack of a Matroska TrackEntry: V_MPEG4/ISO/AVC (and the V_MPEG/ISO/AVC spelling of the
 * KVS docs), V_MPEGH/ISO/HEVC, A_AAC, A_MS/ACM with G.711 A-law or µ-law. Undefined (and an issue) for
 * codecs KVS cannot package.
 */
export function packagingTrackFromMatroska(mkv: MatroskaTrack): { track?: PackagingTrack; issues: Issue[] } {
  const cp = mkv.codecPrivate?.bytes ?? new Uint8Array(0);
  const number = mkv.number;
  const video = VIDEO_CODECS[mkv.codecId];
  if (video) {
    const hints: PackagingTrackHints = {};
    if (mkv.video?.pixelWidth !== undefined) hints.width = mkv.video.pixelWidth;
    if (mkv.video?.pixelHeight !== undefined) hints.height = mkv.video.pixelHeight;
    if (mkv.defaultDurationNs !== undefined && mkv.defaultDurationNs > 0) hints.frameDurationMs = mkv.defaultDurationNs / 1e6;
    return packagingTrack(number, video, cp, hints);
  }
  const audioHints: PackagingTrackHints = {};
  if (mkv.audio) {
    audioHints.sampleRate = mkv.audio.samplingFrequency;
    audioHints.channels = mkv.audio.channels;
  }
  if (mkv.codecId === 'A_AAC' || mkv.codecId.startsWith('A_AAC/')) return packagingTrack(number, 'aac', cp, audioHints);
  if (mkv.codecId === 'A_MS/ACM') {
    const wave = parseWaveFormatEx(cp);
    const tag = wave.fields.wFormatTag;
    if (tag === 6 || tag === 7) {
      const rate = wave.fields.nSamplesPerSec;
      const channels = wave.fields.nChannels;
      if (typeof rate === 'number' && rate > 0) audioHints.sampleRate = rate;
      if (typeof channels === 'number' && channels > 0) audioHints.channels = channels;
      return packagingTrack(number, tag === 6 ? 'alaw' : 'mulaw', cp, audioHints);
    }
    const name = typeof tag === 'number' ? `wFormatTag 0x${tag.toString(16)}` : 'no readable WAVEFORMATEX';
    return { issues: [issue('warning', 'PACKAGE_UNSUPPORTED_CODEC', `Track ${number} is A_MS/ACM with ${name}; only G.711 A-law (6) and µ-law (7) can be packaged.`, mkv.offset)] };
  }
  return { issues: [issue('warning', 'PACKAGE_UNSUPPORTED_CODEC', `Track ${number} has CodecID ${mkv.codecId || '(none)'}; KVS packages H.264, H.265, AAC and G.711 only.`, mkv.offset)] };
}

/**
 * The RFC 6381 codec string for an HLS CODECS attribute or a DASH @codecs: avc1.PPCCLL, hvc1.…,
 * mp4a.40.N, and the sample entry names alaw / ulaw for G.711. Undefined when the codec private data
 * does not tell.
 */
export function codecString(track: PackagingTrack): string | undefined {
  const config = trackConfig(track);
  switch (track.codec) {
    case 'h264': {
      if (!config.avc) return undefined;
      const sps = config.avc.sps[0];
      return avcCodecStringFromRecord(config.avc) ?? (sps ? avcCodecStringFromSps(sps) : undefined);
    }
    case 'h265': {
      if (!config.hevc) return undefined;
      const sps = config.hevc.sps[0];
      return hevcCodecStringFromRecord(config.hevc, 'hvc1') ?? (sps ? hevcCodecStringFromSps(sps, 'hvc1') : undefined);
    }
    case 'aac':
      return config.asc ? aacCodecString(config.asc) : undefined;
    case 'alaw':
      return 'alaw';
    case 'mulaw':
      return 'ulaw';
  }
}
