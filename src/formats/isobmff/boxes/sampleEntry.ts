import { defineBox } from './define';
import { decodeUtf8, type BoxReader } from '../reader';
import type { BoxSpec } from '../types';

export interface VisualSampleEntryFields {
  kind: 'visual';
  dataReferenceIndex: number;
  width: number;
  height: number;
  horizontalResolution: number;
  verticalResolution: number;
  frameCount: number;
  compressorName: string;
  depth: number;
}

export interface AudioSampleEntryFields {
  kind: 'audio';
  dataReferenceIndex: number;
  /** QuickTime sound description version (0 for ISO files). */
  soundVersion: number;
  channelCount: number;
  sampleSize: number;
  /** Hz (16.16 in v0/v1; float64 in QuickTime v2). */
  sampleRate: number;
}

export type SampleEntryFields = VisualSampleEntryFields | AudioSampleEntryFields;

export function parseVisualSampleEntry(r: BoxReader): VisualSampleEntryFields {
  r.skip(6, 'reserved');
  const dataReferenceIndex = r.u16('data_reference_index');
  r.skip(2, 'pre_defined');
  r.skip(2, 'reserved');
  r.skip(12, 'pre_defined');
  const width = r.u16('width');
  const height = r.u16('height');
  const horizontalResolution = r.u32('horizresolution') / 65536;
  const verticalResolution = r.u32('vertresolution') / 65536;
  r.skip(4, 'reserved');
  const frameCount = r.u16('frame_count');
  // string[32]: a length byte, then up to 31 bytes of name.
  const lengthAt = r.pos;
  const nameLength = Math.min(31, r.u8());
  const compressorName = decodeUtf8(r.bytes.subarray(lengthAt + 1, Math.min(r.end, lengthAt + 1 + nameLength)));
  r.pos = lengthAt + 32;
  if (r.pos <= r.end) r.note('compressorname', lengthAt, 32, compressorName, 'string[32]');
  const depth = r.u16('depth');
  r.skip(2, 'pre_defined'); // -1
  return { kind: 'visual', dataReferenceIndex, width, height, horizontalResolution, verticalResolution, frameCount, compressorName, depth };
}

export function parseAudioSampleEntry(r: BoxReader): AudioSampleEntryFields {
  r.skip(6, 'reserved');
  const dataReferenceIndex = r.u16('data_reference_index');
  // ISO names, and Apple's for what a QuickTime sound description version 1 or 2 adds.
  const soundVersion = r.u16('entry_version');
  r.skip(6, 'reserved'); // QuickTime: revision level, vendor
  let channelCount = r.u16('channelcount');
  let sampleSize = r.u16('samplesize');
  r.skip(2, 'pre_defined'); // QuickTime: compression ID
  r.skip(2, 'reserved'); // QuickTime: packet size
  let sampleRate = r.u32('samplerate') / 65536;
  if (soundVersion === 1) {
    r.u32('samplesPerPacket');
    r.u32('bytesPerPacket');
    r.u32('bytesPerFrame');
    r.u32('bytesPerSample');
  } else if (soundVersion === 2) {
    r.u32('sizeOfStructOnly');
    sampleRate = r.f64('audioSampleRate');
    channelCount = r.u32('numAudioChannels');
    r.skip(4, 'always7F000000');
    sampleSize = r.u32('constBitsPerChannel');
    r.u32('formatSpecificFlags');
    r.u32('constBytesPerAudioPacket');
    r.u32('constLPCMFramesPerAudioPacket');
  }
  return { kind: 'audio', dataReferenceIndex, soundVersion, channelCount, sampleSize, sampleRate };
}

function visual<const T extends string>(type: T, name: string): BoxSpec<VisualSampleEntryFields> & { readonly type: T } {
  return defineBox({ type, name, container: true, parse: parseVisualSampleEntry });
}

function audio<const T extends string>(type: T, name: string): BoxSpec<AudioSampleEntryFields> & { readonly type: T } {
  return defineBox({ type, name, container: true, parse: parseAudioSampleEntry });
}

export const avc1 = visual('avc1', 'AVCSampleEntry');
export const avc3 = visual('avc3', 'AVCSampleEntry');
export const hvc1 = visual('hvc1', 'HEVCSampleEntry');
export const hev1 = visual('hev1', 'HEVCSampleEntry');
export const mp4v = visual('mp4v', 'MP4VisualSampleEntry');
export const encv = visual('encv', 'EncryptedVisualSampleEntry');
export const mp4a = audio('mp4a', 'MP4AudioSampleEntry');
export const enca = audio('enca', 'EncryptedAudioSampleEntry');

/** Sample entries of unregistered types, chosen by the track handler. */
export const genericVisualSampleEntry: BoxSpec<VisualSampleEntryFields> = {
  type: '', name: 'VisualSampleEntry', container: true, parse: parseVisualSampleEntry,
};
export const genericAudioSampleEntry: BoxSpec<AudioSampleEntryFields> = {
  type: '', name: 'AudioSampleEntry', container: true, parse: parseAudioSampleEntry,
};
