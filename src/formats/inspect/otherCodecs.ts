// What a track of a codec KVS does not package is, from its codec ID alone (no codec private data is
// decoded for these; MPEG audio, which has none, from a frame header): its name, and its RFC 6381 string
// where the ID gives all of it.
import { ac3CodecString, mpegAudioCodecString, mpegAudioName, readMpegAudioFrameInfo } from '../codecs';
import type { TrackReport } from './report';

type CodecNames = Pick<TrackReport, 'codec' | 'codecName'>;

const OPUS: CodecNames = { codec: 'opus', codecName: 'Opus' };
const AC3: CodecNames = { codec: ac3CodecString(false), codecName: 'AC-3' };
const EAC3: CodecNames = { codec: ac3CodecString(true), codecName: 'E-AC-3' };
const FLAC: CodecNames = { codec: 'flac', codecName: 'FLAC' };
const VP8: CodecNames = { codec: 'vp8', codecName: 'VP8' };
// (VP9's and AV1's strings carry profile, level and bit depth from their configuration records.)
const VP9: CodecNames = { codecName: 'VP9' };
const AV1: CodecNames = { codecName: 'AV1' };

const VORBIS: CodecNames = { codec: 'vorbis', codecName: 'Vorbis' };

const MATROSKA: Record<string, CodecNames> = {
  A_OPUS: OPUS, A_AC3: AC3, A_EAC3: EAC3, A_FLAC: FLAC, A_VORBIS: VORBIS, V_VP8: VP8, V_VP9: VP9, V_AV1: AV1,
};

const ISO_BMFF: Record<string, CodecNames> = {
  Opus: OPUS, 'ac-3': AC3, 'ec-3': EAC3, fLaC: FLAC, vp08: VP8, vp09: VP9, av01: AV1, tmcd: { codecName: 'QuickTime timecode' },
};

/**
 * Uncompressed audio sample entries (QuickTime's, and ISO/IEC 23003-5's ipcm and fpcm), named as Matroska's
 * A_PCM ones are, with their bits per sample where the entry fixes it (a version 1 sound description keeps
 * samplesize 16 whatever the samples are).
 */
const PCM_SAMPLE_ENTRIES: Record<string, { name: string; bits?: number }> = {
  raw: { name: 'PCM, unsigned 8-bit', bits: 8 }, sowt: { name: 'PCM, little-endian integer' }, twos: { name: 'PCM, big-endian integer' },
  in24: { name: 'PCM, integer', bits: 24 }, in32: { name: 'PCM, integer', bits: 32 }, fl32: { name: 'PCM, IEEE float', bits: 32 },
  fl64: { name: 'PCM, IEEE float', bits: 64 }, lpcm: { name: 'PCM' }, ipcm: { name: 'PCM, integer' }, fpcm: { name: 'PCM, IEEE float' },
};

/** The bits per sample of an uncompressed audio sample entry (from its samplesize where the type does not fix them); undefined for other entries. */
export function pcmBitDepth(sampleEntry: string, sampleSize: number | undefined): number | undefined {
  const pcm = PCM_SAMPLE_ENTRIES[sampleEntry];
  return pcm && (pcm.bits ?? (sampleSize || undefined));
}

/** esds objectTypeIndication of MPEG-2 (13818-3) and MPEG-1 (11172-3) audio. */
const MPEG_AUDIO_VERSIONS: Record<number, number> = { 0x69: 2, 0x6b: 1 };

/** ffmpeg's esds objectTypeIndication for Vorbis (a user-private value). */
export const OBJECT_TYPE_VORBIS = 0xdd;

/**
 * 'mp4a' sample entries of other codecs, by their esds objectTypeIndication (ISO/IEC 14496-1 and the
 * MP4 registration authority's list; AC-3 and E-AC-3 have entries of their own, which ffmpeg writes).
 */
const MP4A_OBJECT_TYPES: Record<number, CodecNames> = {
  0xa5: AC3, 0xa6: EAC3, 0xa9: { codecName: 'DTS' }, 0xe1: { codecName: 'QCELP' }, [OBJECT_TYPE_VORBIS]: VORBIS,
};

/** The MPEG audio version a sampling frequency belongs to (MPEG-1, MPEG-2 LSF, the unofficial 2.5). */
function mpegAudioVersion(sampleRate: number | undefined): number | undefined {
  if (sampleRate === 32000 || sampleRate === 44100 || sampleRate === 48000) return 1;
  if (sampleRate === 16000 || sampleRate === 22050 || sampleRate === 24000) return 2;
  if (sampleRate === 8000 || sampleRate === 11025 || sampleRate === 12000) return 2.5;
  return undefined;
}

function mpegAudio(version: number | undefined, layer: number | undefined): CodecNames {
  if (version === undefined) return { codecName: `MPEG Audio${layer ? ` Layer ${'I'.repeat(layer)}` : ''}` };
  return { codec: mpegAudioCodecString(version), codecName: layer ? mpegAudioName({ version, layer }) : `MPEG-${version} Audio` };
}

/** A Matroska CodecID's codec (A_MPEG/L3 by its sampling frequency's MPEG version). */
export function matroskaCodecNames(codecId: string, sampleRate: number | undefined): CodecNames {
  const layer = /^A_MPEG\/L([123])$/.exec(codecId)?.[1];
  if (layer) return mpegAudio(mpegAudioVersion(sampleRate), Number(layer));
  return MATROSKA[codecId] ?? {};
}

/** The codec, rate and channels an MPEG audio frame header at bytes[at] gives. */
export function mpegAudioFormat(bytes: Uint8Array, at: number): Partial<TrackReport> | undefined {
  const mpeg = readMpegAudioFrameInfo(bytes, at);
  return mpeg && { codec: mpegAudioCodecString(mpeg.version), codecName: mpegAudioName(mpeg), sampleRate: mpeg.sampleRate, channels: mpeg.channels };
}

/** An 'mp4a' sample entry whose esds objectTypeIndication names MPEG-1 or MPEG-2 audio (MP3 in MP4). */
export function isMpegAudioSampleEntry(sampleEntry: string, objectTypeIndication: number | undefined): boolean {
  return sampleEntry === 'mp4a' && MPEG_AUDIO_VERSIONS[objectTypeIndication ?? -1] !== undefined;
}

/** An ISO BMFF sample entry's codec ('mp4a' by its esds objectTypeIndication). */
export function isoBmffCodecNames(sampleEntry: string, objectTypeIndication: number | undefined): CodecNames {
  if (isMpegAudioSampleEntry(sampleEntry, objectTypeIndication)) return mpegAudio(MPEG_AUDIO_VERSIONS[objectTypeIndication ?? -1], undefined);
  if (sampleEntry === 'mp4a') return MP4A_OBJECT_TYPES[objectTypeIndication ?? -1] ?? {};
  const pcm = PCM_SAMPLE_ENTRIES[sampleEntry];
  return pcm ? { codecName: pcm.name } : (ISO_BMFF[sampleEntry] ?? {});
}
