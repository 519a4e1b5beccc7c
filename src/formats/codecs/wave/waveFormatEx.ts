import type { FieldLocation, Fields } from '../../bits/syntax';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { hex } from '../../hex';
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
  const f: Fields = {};
  const locations: FieldLocation[] = [];
  const issues: Issue[] = [];
  const d: WaveFormatExDerived = {};
  const result: WaveFormatEx = { fields: f, derived: d, locations, issues, offset: baseOffset, length: bytes.length };
  let pos = 0;
  const read = (name: string, size: 2 | 4): number | undefined => {
    if (pos + size > bytes.length) return undefined;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[pos + i] ?? 0);
    f[name] = v;
    locations.push({ path: name, value: v, descriptor: size === 2 ? 'WORD' : 'DWORD', bitOffset: pos * 8, bitLength: size * 8, byteOffset: baseOffset + pos, byteLength: size });
    pos += size;
    return v;
  };
  const fields: [string, 2 | 4][] = [
    ['wFormatTag', 2],
    ['nChannels', 2],
    ['nSamplesPerSec', 4],
    ['nAvgBytesPerSec', 4],
    ['nBlockAlign', 2],
    ['wBitsPerSample', 2],
  ];
  for (const [name, size] of fields) {
    if (read(name, size) === undefined) {
      issues.push(issue('error', `${CODE}_TRUNCATED`, `WAVEFORMATEX is ${bytes.length} bytes; it ends before ${name} (16 bytes are needed).`, baseOffset + pos));
      return result;
    }
  }
  const tag = f.wFormatTag as number;
  d.formatName = waveFormatTagName(tag);
  // A bare WAVEFORMAT/PCMWAVEFORMAT (16 bytes) has no cbSize.
  const cbSize = read('cbSize', 2);
  if (cbSize === undefined) {
    if (tag !== 1) issues.push(issue('info', `${CODE}_NO_CBSIZE`, 'The structure is 16 bytes (PCMWAVEFORMAT): it has no cbSize.', baseOffset + pos));
    return result;
  }
  if (pos + cbSize > bytes.length) {
    issues.push(issue('error', `${CODE}_TRUNCATED`, `cbSize says ${cbSize} extra bytes follow but only ${bytes.length - pos} do.`, baseOffset + pos - 2));
  }
  const extraEnd = Math.min(bytes.length, pos + cbSize);
  if (tag === 0xfffe && cbSize >= 22 && extraEnd - pos >= 22) {
    read('wValidBitsPerSample', 2);
    read('dwChannelMask', 4);
    f.SubFormat = formatGuid(bytes, pos);
    locations.push({ path: 'SubFormat', value: 16, descriptor: 'GUID', bitOffset: pos * 8, bitLength: 128, byteOffset: baseOffset + pos, byteLength: 16 });
    d.subFormatTag = (bytes[pos] ?? 0) | ((bytes[pos + 1] ?? 0) << 8);
    d.subFormatName = waveFormatTagName(d.subFormatTag);
    pos += 16;
  }
  if (extraEnd > pos) {
    f.extraData = hex(bytes, pos, extraEnd);
    locations.push({ path: 'extraData', value: extraEnd - pos, descriptor: `bit(8*${extraEnd - pos})`, bitOffset: pos * 8, bitLength: (extraEnd - pos) * 8, byteOffset: baseOffset + pos, byteLength: extraEnd - pos });
    pos = extraEnd;
  }
  if (bytes.length > pos) {
    issues.push(issue('info', `${CODE}_TRAILING_BYTES`, `${bytes.length - pos} bytes follow the cbSize extra data.`, baseOffset + pos));
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
    const expectedAlign = (channels * bits) / 8;
    if (align !== expectedAlign) {
      issues.push(issue('warning', `${CODE}_BLOCK_ALIGN`, `nBlockAlign is ${align}; nChannels × wBitsPerSample / 8 = ${expectedAlign}.`, offset + 12));
    }
    if (f.nAvgBytesPerSec !== rate * align) {
      issues.push(issue('warning', `${CODE}_AVG_BYTES`, `nAvgBytesPerSec is ${String(f.nAvgBytesPerSec)}; nSamplesPerSec × nBlockAlign = ${rate * align}.`, offset + 8));
    }
    if ((tag === 6 || tag === 7) && bits !== 8) {
      issues.push(issue('warning', `${CODE}_BITS`, `G.711 samples are 8 bits; wBitsPerSample is ${bits}.`, offset + 14));
    }
  }
}
