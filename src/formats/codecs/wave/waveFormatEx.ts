import type { Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { hex } from '../../hex';
import { LittleEndianFields, type WindowsInteger } from '../littleEndianFields';
import type { ParsedSyntax } from '../nalSyntax';

/** wFormatTag values (mmreg.h) that cameras and encoders write. */
const FORMAT_TAGS: Record<number, string> = {
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'G.711 A-law',
  0x0007: 'G.711 mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer-3 (MP3)',
  0x0092: 'Dolby AC-3 SPDIF',
  0x00ff: 'AAC (raw)',
  0x0160: 'Windows Media Audio 1',
  0x0161: 'Windows Media Audio 2',
  0x0162: 'Windows Media Audio 9 Professional',
  0x1600: 'AAC (ADTS)',
  0x1610: 'HE-AAC',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC',
  0xfffe: 'WAVE_FORMAT_EXTENSIBLE',
};

export function waveFormatTagName(tag: number): string {
  return FORMAT_TAGS[tag] ?? `unknown (0x${tag.toString(16).padStart(4, '0')})`;
}

export interface WaveFormatExDerived {
  formatName?: string;
  /** For WAVE_FORMAT_EXTENSIBLE: the format tag inside the SubFormat GUID (first two bytes). */
  subFormatTag?: number;
  subFormatName?: string;
}

export type WaveFormatEx = ParsedSyntax<WaveFormatExDerived>;

const CODE = 'WAVEFORMATEX';

/**
 * The format a WAVEFORMATEX stands for: for WAVE_FORMAT_EXTENSIBLE with the 22 bytes of its extension (a
 * cbSize of at least 22, as ffmpeg also requires), the tag that opens its SubFormat; else wFormatTag.
 */
export function waveFormatOf(wave: WaveFormatEx): number | undefined {
  return wave.derived.subFormatTag ?? (wave.fields.wFormatTag as number | undefined);
}

/** Decodes a WAVEFORMATEX (the CodecPrivate of Matroska A_MS/ACM), little-endian, with the EXTENSIBLE part. */
export function parseWaveFormatEx(bytes: Uint8Array, baseOffset = 0): WaveFormatEx {
  const reader = new LittleEndianFields(bytes, baseOffset);
  const { fields: f, locations } = reader;
  const issues: Issue[] = [];
  const d: WaveFormatExDerived = {};
  const result: WaveFormatEx = { fields: f, derived: d, locations, issues, offset: baseOffset, length: bytes.length };
  const fields: [string, WindowsInteger][] = [
    ['wFormatTag', 'WORD'],
    ['nChannels', 'WORD'],
    ['nSamplesPerSec', 'DWORD'],
    ['nAvgBytesPerSec', 'DWORD'],
    ['nBlockAlign', 'WORD'],
    ['wBitsPerSample', 'WORD'],
  ];
  for (const [name, type] of fields) {
    if (reader.read(name, type) === undefined) {
      issues.push(issue('error', `${CODE}_TRUNCATED`, `WAVEFORMATEX is ${bytes.length} bytes; it ends before ${name} (16 bytes are needed).`, baseOffset + reader.pos));
      return result;
    }
  }
  const tag = f.wFormatTag as number;
  d.formatName = waveFormatTagName(tag);
  // A bare WAVEFORMAT/PCMWAVEFORMAT (16 bytes) has no cbSize.
  const cbSize = reader.read('cbSize', 'WORD');
  if (cbSize === undefined) {
    if (tag !== 1) issues.push(issue('info', `${CODE}_NO_CBSIZE`, 'The structure is 16 bytes (PCMWAVEFORMAT): it has no cbSize.', baseOffset + reader.pos));
    return result;
  }
  if (reader.pos + cbSize > bytes.length) {
    issues.push(issue('error', `${CODE}_TRUNCATED`, `cbSize says ${cbSize} extra bytes follow but only ${bytes.length - reader.pos} do.`, baseOffset + reader.pos - 2));
  }
  const extraEnd = Math.min(bytes.length, reader.pos + cbSize);
  if (tag === 0xfffe && cbSize >= 22 && extraEnd - reader.pos >= 22) {
    reader.read('wValidBitsPerSample', 'WORD');
    reader.read('dwChannelMask', 'DWORD');
    f.SubFormat = formatGuid(bytes, reader.pos);
    d.subFormatTag = (bytes[reader.pos] ?? 0) | ((bytes[reader.pos + 1] ?? 0) << 8);
    d.subFormatName = waveFormatTagName(d.subFormatTag);
    reader.locate('SubFormat', 16, 'GUID', 16);
  }
  reader.readHex('extraData', extraEnd);
  if (bytes.length > reader.pos) {
    issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${bytes.length - reader.pos} bytes follow the cbSize extra data.`, baseOffset + reader.pos));
  }
  checkConsistency(f, issues, baseOffset);
  return result;
}

function formatGuid(b: Uint8Array, p: number): string {
  const h = (s: number, e: number): string => hex(b, p + s, p + e);
  const le = (s: number, n: number): string => hex(b.slice(p + s, p + s + n).reverse());
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${h(8, 10)}-${h(10, 16)}`;
}

function checkConsistency(f: Fields, issues: Issue[], offset: number): void {
  const tag = f.wFormatTag;
  const channels = f.nChannels as number;
  const rate = f.nSamplesPerSec as number;
  const bits = f.wBitsPerSample as number;
  const align = f.nBlockAlign as number;
  if (channels === 0) issues.push(issue('error', `${CODE}_CHANNELS`, 'nChannels is 0.', offset + 2));
  if (rate === 0) issues.push(issue('error', `${CODE}_SAMPLE_RATE`, 'nSamplesPerSec is 0.', offset + 4));
  if (tag === 1 || tag === 3 || tag === 6 || tag === 7) {
    // A G.711 sample is a byte whatever wBitsPerSample says (GStreamer's matroskamux writes 0 there): the
    // block and byte rate follow from that, and a wrong wBitsPerSample is reported once, on its own.
    const g711 = tag === 6 || tag === 7;
    const expectedAlign = (channels * (g711 ? 8 : bits)) / 8;
    if (align !== expectedAlign) {
      const rule = g711 ? 'nChannels × 1 byte' : 'nChannels × wBitsPerSample / 8';
      issues.push(issue('warning', `${CODE}_BLOCK_ALIGN`, `nBlockAlign is ${align}; ${rule} = ${expectedAlign}.`, offset + 12));
    }
    if (f.nAvgBytesPerSec !== rate * expectedAlign) {
      issues.push(issue('warning', `${CODE}_AVG_BYTES`, `nAvgBytesPerSec is ${String(f.nAvgBytesPerSec)}; nSamplesPerSec × the block size = ${rate * expectedAlign}.`, offset + 8));
    }
    if (g711 && bits !== 8) {
      issues.push(issue('warning', `${CODE}_BITS`, `G.711 samples are 8 bits; wBitsPerSample is ${bits}.`, offset + 14));
    }
  }
}
