import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { LittleEndianFields, type WindowsInteger } from '../littleEndianFields';
import type { ParsedSyntax } from '../nalSyntax';

/** biCompression values that are not FourCCs (wingdi.h). */
const COMPRESSIONS: Record<number, string> = { 0: 'BI_RGB', 1: 'BI_RLE8', 2: 'BI_RLE4', 3: 'BI_BITFIELDS', 4: 'BI_JPEG', 5: 'BI_PNG' };

/** The codecs behind FourCCs cameras and encoders write, as ffmpeg's AVI tags map them. */
const FOURCC_CODECS: [string, string[]][] = [
  ['Motion JPEG', ['MJPG', 'mjpg', 'AVRn', 'dmb1', 'JPGL', 'LJPG']],
  ['H.264', ['H264', 'h264', 'X264', 'x264', 'AVC1', 'avc1', 'DAVC', 'VSSH']],
  ['H.265', ['HEVC', 'hevc', 'H265', 'h265', 'X265', 'HVC1', 'hvc1']],
  ['MPEG-4 Part 2', ['FMP4', 'XVID', 'xvid', 'DIVX', 'divx', 'DX50', 'MP4V', 'mp4v']],
  ['MPEG-2', ['MPG2', 'mpg2', 'MPEG']],
  ['Windows Media Video 7', ['WMV1']],
  ['Windows Media Video 8', ['WMV2']],
  ['Windows Media Video 9', ['WMV3']],
  ['VC-1', ['WVC1', 'WMVA']],
  ['VP8', ['VP80']],
  ['VP9', ['VP90']],
  ['AV1', ['AV01']],
  ['Huffyuv', ['HFYU']],
  ['FFV1', ['FFV1']],
];
const CODEC_OF_FOURCC = new Map(FOURCC_CODECS.flatMap(([codec, fourCCs]) => fourCCs.map((fourCC) => [fourCC, codec] as const)));

export interface BitmapInfoHeaderDerived {
  /** biCompression as its four characters, when they are printable. */
  fourCC?: string;
  /** The codec the biCompression stands for ("Motion JPEG", "uncompressed RGB"), when known. */
  formatName?: string;
}

export type BitmapInfoHeader = ParsedSyntax<BitmapInfoHeaderDerived>;

const CODE = 'BITMAPINFOHEADER';
const HEADER_SIZE = 40;

const FIELDS: [string, WindowsInteger][] = [
  ['biSize', 'DWORD'],
  ['biWidth', 'LONG'],
  ['biHeight', 'LONG'],
  ['biPlanes', 'WORD'],
  ['biBitCount', 'WORD'],
  ['biCompression', 'DWORD'],
  ['biSizeImage', 'DWORD'],
  ['biXPelsPerMeter', 'LONG'],
  ['biYPelsPerMeter', 'LONG'],
  ['biClrUsed', 'DWORD'],
  ['biClrImportant', 'DWORD'],
];

/**
 * Decodes a BITMAPINFOHEADER (the CodecPrivate of Matroska V_MS/VFW/FOURCC), and the codec's extra data
 * after it. biCompression is shown as its FourCC ("MJPG") when it is one, as mkvinfo and ffprobe show it.
 */
export function parseBitmapInfoHeader(bytes: Uint8Array, baseOffset = 0): BitmapInfoHeader {
  const reader = new LittleEndianFields(bytes, baseOffset);
  const { fields, locations } = reader;
  const issues: Issue[] = [];
  const derived: BitmapInfoHeaderDerived = {};
  const result: BitmapInfoHeader = { fields, derived, locations, issues, offset: baseOffset, length: bytes.length };
  const missing = FIELDS.find(([name, type]) => reader.read(name, type) === undefined)?.[0];
  const compression = fields.biCompression;
  if (typeof compression === 'number') {
    const fourCC = fourCCText(compression);
    derived.fourCC = fourCC;
    derived.formatName = compression === 0 ? 'uncompressed RGB' : fourCC ? CODEC_OF_FOURCC.get(fourCC) : undefined;
    fields.biCompression = fourCC ?? COMPRESSIONS[compression] ?? compression;
  }
  if (missing) {
    issues.push(issue('error', `${CODE}_TRUNCATED`, `The BITMAPINFOHEADER is ${bytes.length} bytes; it ends before ${missing} (${HEADER_SIZE} bytes are needed).`, baseOffset + reader.pos));
    return result;
  }
  const declared = fields.biSize as number;
  if (declared < HEADER_SIZE || declared > bytes.length) {
    issues.push(issue('warning', `${CODE}_SIZE`, `biSize is ${declared}; the header is ${HEADER_SIZE} bytes and the codec private data ${bytes.length}. Decoders take the codec's extra data from after the first ${HEADER_SIZE} bytes.`, baseOffset));
  }
  reader.readHex('extraData', bytes.length);
  return result;
}

/** A DWORD as four printable ASCII characters, first byte first; undefined when it is not. */
function fourCCText(value: number): string | undefined {
  let text = '';
  for (let shift = 0; shift < 32; shift += 8) {
    const code = Math.floor(value / 2 ** shift) % 256;
    if (code < 0x20 || code > 0x7e) return undefined;
    text += String.fromCharCode(code);
  }
  return text;
}
