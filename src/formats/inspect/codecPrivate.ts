// Turns a track's codec private data into what the report shows: codec string, readable name,
// picture or audio format, the decoded record, and the issues KVS cares about.
import type { FieldLocation, Fields } from '../bits/syntax';
import {
  aacCodecString,
  aacDecoderOutput,
  avcCodecStringFromRecord,
  backwardCompatibleSbrForm,
  buildParameterSetReference,
  checkAacCodecPrivate,
  checkVideoCodecPrivate,
  checkWaveFormatCodecPrivate,
  inBandNals,
  hevcCodecStringFromRecord,
  parseAudioSpecificConfig,
  parseAvcDecoderConfigurationRecord,
  parseBitmapInfoHeader,
  parseHevcDecoderConfigurationRecord,
  parseWaveFormatEx,
  recordParameterSets,
  spsType,
  waveFormatOf,
  type AacDecoderOutput,
  type AudioSpecificConfig,
  type AudioSpecificConfigDerived,
  type ContainerAudio,
  type H264SpsDerived,
  type H265SpsDerived,
  type ParameterSetReference,
  type ParsedSyntax,
} from '../codecs';
import { issue, type Issue } from '../issues';
import { withoutUndefined } from './compact';
import { parseInBandSets } from './inBandParameterSets';
import type { CodecFamily, HrdReport, TrackReport } from './report';

export const CODEC_PRIVATE_CHANGED_HINT =
  'KVS HLS inserts a discontinuity with a new init fragment; GetDASHStreamingSessionURL refuses such a range. Keep resolution and encoder settings fixed while streaming, or start a new stream.';

export type VideoSampleEntry = 'avc1' | 'avc3' | 'hvc1' | 'hev1';

/** What decoding adds to a track, plus what frame analysis needs later. */
export interface DecodedCodecPrivate {
  track: Partial<TrackReport>;
  issues: Issue[];
  /** NAL length prefix size from avcC/hvcC. */
  nalLengthSize?: number;
  /** Parameter sets of the record, to compare in-band ones against. */
  reference?: ParameterSetReference;
  /**
   * The frame rate is the H.264 VUI's with fixed_frame_rate_flag 0: only the highest the stream may reach
   * (x264 writes the real one, encoders with a 90 kHz time base 90000 fps); a rate the container states wins.
   */
  frameRateIsMaximum?: boolean;
}

const WAVE_FAMILY: Record<number, CodecFamily> = { 1: 'pcm', 6: 'g711-alaw', 7: 'g711-mulaw' };

/** What the container says of the track besides its codec private data. */
export interface TrackContainer {
  /** The sample entry of an ISO BMFF video track. */
  sampleEntry?: VideoSampleEntry;
  audio?: ContainerAudio;
  /** The AudioSpecificConfig stands for an ADTS header, which cannot signal SBR or PS, and is not in the file. */
  adts?: boolean;
  /** A video track's first key frame, read only when its record holds no SPS. */
  firstKeyframe?: () => FrameBytes | undefined;
}

/** A frame's bytes and where they start in the input. */
export interface FrameBytes {
  bytes: Uint8Array;
  offset: number;
}

export function decodeCodecPrivate(family: CodecFamily, bytes: Uint8Array | undefined, offset: number, container: TrackContainer = {}): DecodedCodecPrivate {
  switch (family) {
    case 'h264':
    case 'h265':
      return decodeVideo(family, bytes, offset, container);
    case 'aac':
      return decodeAac(bytes, offset, container);
    case 'g711-alaw':
    case 'g711-mulaw':
    case 'pcm':
      return decodeWave(bytes, offset);
    default:
      return { track: {}, issues: [] };
  }
}

/** The RFC 6381 codec string of a G.711 family: its ISO BMFF sample entry. */
export function g711Codec(family: CodecFamily): string | undefined {
  return family === 'g711-alaw' ? 'alaw' : family === 'g711-mulaw' ? 'ulaw' : undefined;
}

/** The family of an A_MS/ACM track follows the format its WAVEFORMATEX stands for (waveFormatOf). */
export function waveFamily(bytes: Uint8Array | undefined): CodecFamily {
  if (!bytes || bytes.length < 2) return 'other';
  return WAVE_FAMILY[waveFormatOf(parseWaveFormatEx(bytes)) ?? -1] ?? 'other';
}

function decodeVideo(family: 'h264' | 'h265', bytes: Uint8Array | undefined, offset: number, container: TrackContainer): DecodedCodecPrivate {
  const { sampleEntry } = container;
  // Matroska and MPEG-TS name no sample entry: the codec string takes the usual one, the checks none.
  const entry = sampleEntry ?? (family === 'h264' ? 'avc1' : 'hvc1');
  const issues = checkVideoCodecPrivate(family, bytes, offset, sampleEntry);
  if (!bytes || issues.some((i) => i.code === 'CODEC_PRIVATE_MISSING' || i.code === 'CODEC_PRIVATE_ANNEX_B')) return { track: {}, issues };

  const { record, codec } = parseVideoRecord(family, bytes, offset, entry);
  const inBand = record.sps.length === 0 && !record.issues.some((i) => i.severity === 'error') ? setsFromFirstKeyframe(family, record.derived.lengthSize, offset, container, entry) : undefined;
  const sps = inBand ? inBand.parsed.spsDerived : record.sps[0]?.derived;
  const track: Partial<TrackReport> = {
    ...videoFormat(family, sps, inBand ? inBand.parsed.codec : codec),
    codecPrivate: {
      type: family === 'h264' ? 'AVCDecoderConfigurationRecord' : 'HEVCDecoderConfigurationRecord',
      offset,
      size: bytes.length,
      fields: record.fields,
      ...('vps' in record ? { vps: record.vps.map((nal) => nal.fields) } : {}),
      sps: record.sps.map((nal) => nal.fields),
      pps: record.pps.map((nal) => nal.fields),
      locations: reportLocations(record.locations, { vps: 'vps' in record ? record.vps : [], sps: record.sps, pps: record.pps }),
    },
  };
  return {
    track: withoutUndefined(track),
    // The sets the frames carry stand for those the record lacks: one issue says where they are.
    issues: inBand ? [inBand.issue, ...record.issues.filter((found) => !NO_PARAMETER_SET.has(found.code))] : mergeIssues(issues, record.issues),
    nalLengthSize: record.derived.lengthSize,
    reference: buildParameterSetReference(family, inBand ? inBand.nals.map((nal) => nal.bytes) : recordParameterSets(bytes, record)),
    ...(frameRateIsMaximum(sps) ? { frameRateIsMaximum: true } : {}),
  };
}

/** The record parsers' notes of an empty parameter-set array. */
const NO_PARAMETER_SET = new Set(['AVCC_NO_SPS', 'AVCC_NO_PPS', 'HVCC_NO_VPS', 'HVCC_NO_SPS', 'HVCC_NO_PPS']);

/**
 * A record without an SPS whose track's first key frame carries its parameter sets in-band: those sets,
 * parsed, and the one issue that replaces the record's. avc3 and hev1 allow a record without them
 * (GStreamer's mp4mux writes avc3 records with none); KVS reads them only from the codec private data,
 * and a Matroska track (or an avc1/hvc1 one) must have them there.
 */
function setsFromFirstKeyframe(family: 'h264' | 'h265', lengthSize: number | undefined, recordOffset: number, container: TrackContainer, entry: VideoSampleEntry) {
  const frame = container.firstKeyframe?.();
  if (!frame) return undefined;
  const size = lengthSize === 1 || lengthSize === 2 ? lengthSize : 4;
  // A copy: the sets are kept as the reference for later frames, and a source's reads may reuse their buffer.
  const nals = inBandNals(frame.bytes.slice(), family, size);
  if (!nals.some((nal) => nal.type === spsType(family))) return undefined;
  const parsed = parseInBandSets(family, nals.map((nal) => ({ ...nal, offset: frame.offset + nal.offset })), entry);
  const at = frame.offset + (nals[0]?.offset ?? 0);
  const names = family === 'h264' ? 'SPS and PPS' : 'VPS, SPS and PPS';
  const where = `the frames carry their parameter sets in-band (the first key frame's at byte ${at})`;
  const allowed = entry === 'avc3' || entry === 'hev1';
  const found = allowed
    ? issue('info', 'PARAMETER_SETS_IN_BAND', `The ${entry} record holds no SPS: ${where}, as ${entry} allows.`, recordOffset,
      `KVS reads the ${names} only from the codec private data: kvs-put writes these into the Matroska CodecPrivate; a muxer that copies the empty record (ffmpeg -c copy) gives a stream KVS answers InvalidCodecPrivateData for.`)
    : issue('error', 'CODEC_PRIVATE_INVALID', `The ${family === 'h264' ? 'AVC' : 'HEVC'}DecoderConfigurationRecord holds no SPS; ${where}.`, recordOffset,
      `KVS reads the ${names} only from the codec private data and answers InvalidCodecPrivateData without them: write the in-band ones into the record.`);
  return { parsed, nals, issue: found };
}

/**
 * "H.264 High@L3.1", "H.265 Main 10@L4.1@High": profile, level and (H.265 High) tier joined as MediaInfo
 * writes them, so that a profile name ending in a number (High 10, Main 4:4:4 12) does not run into the level.
 */
function videoCodecName(family: 'h264' | 'h265', sps: H264SpsDerived | H265SpsDerived | undefined): string {
  const name = [family === 'h264' ? 'H.264' : 'H.265', sps?.profileName].filter(Boolean).join(' ');
  const level = sps?.level === undefined ? '' : `@L${sps.level}`;
  const tier = sps && 'tier' in sps && sps.tier === 'High' ? '@High' : '';
  return `${name}${level}${tier}`;
}

/** What a track shows of its first SPS: codec string and name, picture size, aspect ratio, rate and HRD. */
export function videoFormat(family: 'h264' | 'h265', sps: H264SpsDerived | H265SpsDerived | undefined, codec: string | undefined): Partial<TrackReport> {
  return {
    codec,
    codecName: videoCodecName(family, sps),
    width: sps?.displayWidth,
    height: sps?.displayHeight,
    codedWidth: sps?.codedWidth,
    codedHeight: sps?.codedHeight,
    interlaced: sps?.interlaced,
    sampleAspectRatio: sps?.sampleAspectRatio,
    frameRate: sps?.frameRate,
    maxReorderFrames: family === 'h264' ? (sps as H264SpsDerived | undefined)?.maxNumReorderFrames : (sps as H265SpsDerived | undefined)?.maxNumReorderPics,
    bitDepth: sps?.BitDepthY,
    hrd: sps && hrdOf(sps),
  };
}

/** An H.264 VUI with fixed_frame_rate_flag 0: its time_scale gives the highest frame rate, not the rate. */
export function frameRateIsMaximum(sps: H264SpsDerived | H265SpsDerived | undefined): boolean {
  return sps !== undefined && 'fixedFrameRate' in sps && sps.fixedFrameRate === false;
}

/**
 * The bit rate and buffer the SPS's HRD declares: the NAL HRD's (else the VCL's) first schedule, for H.265
 * that of the highest sub-layer that has one (the whole stream).
 */
function hrdOf(sps: H264SpsDerived | H265SpsDerived): HrdReport | undefined {
  if ('nalHrd' in sps || 'vclHrd' in sps) return (sps.nalHrd ?? sps.vclHrd)?.schedules[0];
  const subLayers = 'hrd' in sps ? (sps.hrd?.subLayers ?? []) : [];
  for (let i = subLayers.length - 1; i >= 0; i--) {
    const first = subLayers[i]?.[0];
    if (first) return first;
  }
  return undefined;
}

function parseVideoRecord(family: 'h264' | 'h265', bytes: Uint8Array, offset: number, entry: VideoSampleEntry) {
  if (family === 'h264') {
    const record = parseAvcDecoderConfigurationRecord(bytes, offset);
    return { record, codec: avcCodecStringFromRecord(record, entry === 'avc3' ? 'avc3' : 'avc1') };
  }
  const record = parseHevcDecoderConfigurationRecord(bytes, offset);
  return { record, codec: hevcCodecStringFromRecord(record, entry === 'hev1' ? 'hev1' : 'hvc1') };
}

function decodeAac(bytes: Uint8Array | undefined, offset: number, container: TrackContainer): DecodedCodecPrivate {
  // A config that stands for an ADTS header is derived, not in the file: its length (a
  // program_config_element for channel_configuration 0) is nothing to fix in the input.
  const checked = checkAacCodecPrivate(bytes, offset);
  const issues = container.adts ? checked.filter((found) => found.code !== 'AAC_CODEC_PRIVATE_LENGTH') : checked;
  if (!bytes || bytes.length === 0) return { track: {}, issues };
  const asc = parseAudioSpecificConfig(bytes, offset);
  const output = aacDecoderOutput(asc.derived, container.audio);
  const track: Partial<TrackReport> = {
    codec: aacCodecString(asc),
    codecName: aacName(asc.derived, output),
    // What a decoder puts out: SBR doubles the rate, parametric stereo makes a mono core stereo.
    sampleRate: output.sampleRate,
    samplesPerFrame: output.samplesPerFrame,
    channels: output.channels,
    codecPrivate: { type: 'AudioSpecificConfig', offset, size: bytes.length, fields: asc.fields, locations: reportLocations(asc.locations) },
  };
  return { track: withoutUndefined(track), issues: [...mergeIssues(issues, asc.issues), ...aacSignallingIssues(asc, output, container, offset)] };
}

/** "AAC LC", or HE-AAC (v2) with the core coder when SBR (and PS) is signalled or implicit. */
function aacName(derived: AudioSpecificConfigDerived, output: AacDecoderOutput): string {
  // The object type's name when it names AAC ("AAC LC", "ER AAC ELD"), otherwise after "AAC".
  const name = derived.objectTypeName;
  const core = name ? (name.includes('AAC') ? name : `AAC ${name}`) : 'AAC';
  if (!output.sbr) return core;
  return output.ps ? `HE-AAC v2 (${core} + SBR + PS)` : `HE-AAC (${core} + SBR)`;
}

/**
 * Where the AudioSpecificConfig leaves SBR or PS to the frames: what the container's values showed, that
 * a mono HE-AAC core may still decode to stereo, or that an ADTS header's AAC LC may be HE-AAC's core.
 */
function aacSignallingIssues(asc: AudioSpecificConfig, output: AacDecoderOutput, container: TrackContainer, offset: number): Issue[] {
  const issues: Issue[] = [];
  const derived = asc.derived;
  if (container.adts && output.sbrUnknown) issues.push(adtsSbrIssue(asc, offset));
  if (output.implicit.length > 0) {
    const coded = `${derived.objectTypeName ?? 'AAC'} at ${derived.sampleRate ?? '?'} Hz, ${plural(derived.channels ?? 0, 'channel')}`;
    const said = [container.audio?.sampleRate === output.sampleRate ? `${output.sampleRate} Hz` : '', output.implicit.includes('PS') ? '2 channels' : ''].filter(Boolean).join(' and ');
    issues.push(issue(
      'info',
      'AAC_IMPLICIT_SIGNALLING',
      `The AudioSpecificConfig codes ${coded}, without ${output.implicit.join(' or ')} signalling; the container's ${said} say the frames carry ${output.implicit.join(' and ')} (implicit signalling): decoders put out ${output.sampleRate} Hz, ${plural(output.channels ?? 0, 'channel')}.`,
      offset,
      `Tools and players that read only the codec private data show the core format. The 5-byte form ${backwardCompatibleSbrForm(asc, output.sampleRate)} signals SBR there too, at a length KVS takes.${output.implicit.includes('PS') ? ` ${PS_IN_CONFIG}` : ''}`,
    ));
  }
  if (output.sbr && !output.ps && derived.psPresentFlag === -1 && derived.channels === 1) {
    issues.push(issue(
      'info',
      'AAC_PS_NOT_SIGNALLED',
      'HE-AAC with one channel and no psPresentFlag: if the frames carry parametric stereo (HE-AAC v2), decoders put out 2 channels, which neither the AudioSpecificConfig nor the container says.',
      offset,
      `With an HE-AAC v2 encoder, write 2 channels in the container. ${PS_IN_CONFIG}`,
    ));
  }
  return issues;
}

/**
 * ADTS names only the core coder: HE-AAC and HE-AAC v2 have AAC LC headers at half the rate (14496-3
 * 1.6.5.2). Only a frame's fill element tells, after the whole raw_data_block before it is decoded.
 */
function adtsSbrIssue(asc: AudioSpecificConfig, offset: number): Issue {
  const rate = asc.derived.sampleRate ?? 0;
  const mono = asc.derived.channels === 1;
  return issue(
    'info',
    'AAC_SBR_NOT_SIGNALLED',
    `The ADTS header codes AAC LC at ${rate} Hz, ${plural(asc.derived.channels ?? 0, 'channel')}, as it does for HE-AAC${mono ? ' (v2)' : ''}: ADTS cannot signal SBR or PS. If the frames carry SBR, decoders put out ${rate * 2} Hz${mono ? ', and 2 channels if they carry PS' : ''}; this report shows the core format.`,
    offset,
    `Only decoding a frame tells (ffprobe does). In an MKV or MP4 made of this stream, say HE-AAC in the codec private data: the 5-byte form ${backwardCompatibleSbrForm(asc, rate * 2)} signals SBR${mono ? ', PS staying implicit' : ''}.`,
  );
}

const PS_IN_CONFIG =
  'PS signalled in the config (audioObjectType 29, or the sync extension 0x548) makes it 4 or 7 bytes, which KVS HLS playback has refused; decoders find PS in the frames anyway.';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A WAVEFORMATEX (Matroska A_MS/ACM), whatever its format: decoded for the track's name, rate and
 * channels; only G.711 and PCM are checked, as CODEC_NOT_PLAYABLE already says the rest cannot be packaged.
 */
export function decodeWave(bytes: Uint8Array | undefined, offset: number): DecodedCodecPrivate {
  const family = waveFamily(bytes);
  const issues = family === 'other' && bytes && bytes.length > 0 ? [] : checkWaveFormatCodecPrivate(bytes, offset);
  if (!bytes || bytes.length === 0) return { track: {}, issues };
  const wave = parseWaveFormatEx(bytes, offset);
  const fields = wave.fields;
  const { formatName, subFormatName } = wave.derived;
  const track: Partial<TrackReport> = {
    codec: g711Codec(family),
    codecName: subFormatName ? `${subFormatName} (${formatName ?? 'WAVE_FORMAT_EXTENSIBLE'})` : formatName,
    sampleRate: numberField(fields, 'nSamplesPerSec'),
    channels: numberField(fields, 'nChannels'),
    bitDepth: numberField(fields, 'wBitsPerSample'),
    codecPrivate: { type: 'WAVEFORMATEX', offset, size: bytes.length, fields, locations: reportLocations(wave.locations) },
  };
  return { track: withoutUndefined(track), issues: mergeIssues(issues, wave.issues) };
}

/**
 * A BITMAPINFOHEADER (Matroska V_MS/VFW/FOURCC): the codec its FourCC names, and the header's fields. A
 * codec KVS does not package: CODEC_NOT_PLAYABLE names it from here.
 */
export function decodeBitmapInfoHeader(bytes: Uint8Array | undefined, offset: number): DecodedCodecPrivate {
  if (!bytes || bytes.length === 0) return { track: {}, issues: [] }; // CODEC_PRIVATE_MISSING comes from the Matroska reader
  const header = parseBitmapInfoHeader(bytes, offset);
  const { fourCC, formatName } = header.derived;
  const compression = fourCC ? `FourCC ${fourCC}` : header.fields.biCompression;
  const track: Partial<TrackReport> = {
    codecName: compression === undefined ? undefined : formatName ? `${formatName} (${String(compression)})` : String(compression),
    codecPrivate: { type: 'BITMAPINFOHEADER', offset, size: bytes.length, fields: header.fields, locations: reportLocations(header.locations) },
  };
  return { track: withoutUndefined(track), issues: header.issues };
}

/** Decoded parameter sets by their name in the report: `vps`, `sps`, `pps`. */
export type ParameterSetsByName = Record<string, readonly ParsedSyntax<unknown>[]>;

/** The locations of a record's fields and of its parameter sets' fields, with their paths in the CodecPrivateReport. */
export function reportLocations(recordLocations: readonly FieldLocation[], parameterSets: ParameterSetsByName = {}): FieldLocation[] {
  const prefixed = (prefix: string, locations: readonly FieldLocation[]) => locations.map((at) => ({ ...at, path: `${prefix}.${at.path}` }));
  return [
    ...prefixed('fields', recordLocations),
    ...Object.entries(parameterSets).flatMap(([name, sets]) => sets.flatMap((set, index) => prefixed(`${name}[${index}]`, set.locations))),
  ];
}

function numberField(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  return typeof value === 'number' ? value : undefined;
}

/** The check functions already report the record's fatal problems; keep the rest once. */
function mergeIssues(checks: Issue[], parsed: Issue[]): Issue[] {
  // A check quotes the parser's message in its own ("… cannot be read: <message>"): one issue, the check's.
  const told = (found: Issue) => checks.some((check) => check.offset === found.offset && check.message.includes(found.message));
  return [...checks, ...parsed.filter((found) => !told(found))];
}
