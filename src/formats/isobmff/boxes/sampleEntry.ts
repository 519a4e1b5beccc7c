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
  r.skip(6);
  const dataReferenceIndex = r.u16();
  r.skip(16); // pre_defined, reserved, pre_defined[3]
  const width = r.u16();
  const height = r.u16();
  const horizontalResolution = r.u32() / 65536;
  const verticalResolution = r.u32() / 65536;
  r.skip(4);
  const frameCount = r.u16();
  const nameLength = Math.min(31, r.u8());
  const nameStart = r.pos;
  const compressorName = decodeUtf8(r.bytes.subarray(nameStart, Math.min(r.end, nameStart + nameLength)));
  r.pos = nameStart + 31;
  const depth = r.u16();
  r.skip(2); // pre_defined = -1
  return { kind: 'visual', dataReferenceIndex, width, height, horizontalResolution, verticalResolution, frameCount, compressorName, depth };
}

export function parseAudioSampleEntry(r: BoxReader): AudioSampleEntryFields {
  r.skip(6);
  const dataReferenceIndex = r.u16();
  const soundVersion = r.u16();
  r.skip(6); // revision, vendor
  let channelCount = r.u16();
  let sampleSize = r.u16();
  r.skip(4); // compression id, packet size
  let sampleRate = r.u32() / 65536;
  if (soundVersion === 1) {
    r.skip(16); // samples per packet, bytes per packet, bytes per frame, bytes per sample
  } else if (soundVersion === 2) {
    r.skip(4); // sizeOfStructOnly
    sampleRate = r.f64();
    channelCount = r.u32();
    r.skip(4); // always 0x7F000000
    sampleSize = r.u32();
    r.skip(12); // format flags, bytes per packet, frames per packet
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
