import { defineBox } from './define';
import { decodeUtf8, type BoxReader } from '../reader';
import type { BoxContext, ByteRange } from '../types';

/** Descriptor tags of ISO/IEC 14496-1 used in 'esds'. */
export const ES_DESCRIPTOR_TAG = 0x03;
export const DECODER_CONFIG_DESCRIPTOR_TAG = 0x04;
export const DECODER_SPECIFIC_INFO_TAG = 0x05;
export const SL_CONFIG_DESCRIPTOR_TAG = 0x06;

/** objectTypeIndication of MPEG-4 Audio (ISO/IEC 14496-1). */
export const OBJECT_TYPE_MPEG4_AUDIO = 0x40;
/** MPEG-2 AAC Main, LC and SSR (ISO/IEC 13818-7): AAC too, as ffmpeg and browsers read them. */
const OBJECT_TYPES_MPEG2_AAC = [0x66, 0x67, 0x68];

/** An objectTypeIndication of AAC, whose DecoderSpecificInfo is an AudioSpecificConfig. */
export function isAacObjectType(objectTypeIndication: number | undefined): boolean {
  return objectTypeIndication === OBJECT_TYPE_MPEG4_AUDIO || OBJECT_TYPES_MPEG2_AAC.includes(objectTypeIndication ?? -1);
}

export interface ElementaryStreamDescriptorFields {
  esId: number;
  streamPriority: number;
  dependsOnEsId?: number;
  url?: string;
  ocrEsId?: number;
  /** From the DecoderConfigDescriptor: 0x40 = MPEG-4 Audio (AAC), 0x67 = MPEG-2 AAC LC, 0x6B = MP3, ... */
  objectTypeIndication?: number;
  /** 0x05 = audio stream, 0x04 = visual stream. */
  streamType?: number;
  upStream?: boolean;
  bufferSizeDB?: number;
  maxBitrate?: number;
  avgBitrate?: number;
  /** DecoderSpecificInfo bytes (AudioSpecificConfig for AAC) and their absolute offset. */
  decoderSpecificInfo?: ByteRange;
  slConfigPredefined?: number;
}

interface Descriptor {
  tag: number;
  /** Where the payload starts and ends (indexes in the reader's bytes). */
  start: number;
  end: number;
}

/** Names of the descriptor classes (ISO/IEC 14496-1 §7.2.6), as recorded field paths start. */
const DESCRIPTOR_NAMES: Record<number, string> = {
  [ES_DESCRIPTOR_TAG]: 'ES_Descriptor',
  [DECODER_CONFIG_DESCRIPTOR_TAG]: 'DecoderConfigDescriptor',
  [DECODER_SPECIFIC_INFO_TAG]: 'DecSpecificInfo',
  [SL_CONFIG_DESCRIPTOR_TAG]: 'SLConfigDescriptor',
};

/**
 * A descriptor header: tag, then a size of up to four 7-bit groups (high bit = more follow). Fields
 * recorded from here on are put under the descriptor's name, after `parent` (the caller restores
 * `r.syntaxPrefix` when the descriptor ends).
 */
function readDescriptor(r: BoxReader, limit: number, ctx: BoxContext, parent: string): Descriptor | undefined {
  if (limit - r.pos < 2) return undefined;
  const at = r.offset;
  r.syntaxPrefix = `${parent}${DESCRIPTOR_NAMES[r.bytes[r.pos] ?? 0] ?? 'descriptor'}.`;
  const tag = r.u8('tag');
  const sizeAt = r.pos;
  let size = 0;
  let more = true;
  for (let i = 0; i < 4 && more && r.pos < limit; i++) {
    const b = r.u8();
    size = size * 128 + (b & 0x7f);
    more = (b & 0x80) !== 0;
  }
  if (more && r.pos - sizeAt < 4) {
    ctx.issue('warning', 'ESDS_DESCRIPTOR_TRUNCATED', `descriptor tag 0x${tag.toString(16)} is cut short in its size field`, at);
    return undefined;
  }
  r.note('sizeOfInstance', sizeAt, r.pos - sizeAt, size, 'expandable size');
  const start = r.pos;
  let end = start + size;
  if (end > limit) {
    ctx.issue('warning', 'ESDS_DESCRIPTOR_TRUNCATED', `descriptor tag 0x${tag.toString(16)} declares ${size} bytes, only ${Math.max(0, limit - start)} left`, at);
    end = limit;
  }
  return { tag, start, end };
}

/** The flags byte of an ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5). */
const ES_FLAG_BITS = [['streamDependenceFlag', 1], ['URL_Flag', 1], ['OCRstreamFlag', 1], ['streamPriority', 5]] as const;

export const esds = defineBox({
  type: 'esds',
  name: 'ESDBox',
  full: true,
  parse(r, ctx): ElementaryStreamDescriptorFields {
    const out: ElementaryStreamDescriptorFields = { esId: 0, streamPriority: 0 };
    const boxPrefix = r.syntaxPrefix;
    const es = readDescriptor(r, r.end, ctx, boxPrefix);
    if (!es || es.tag !== ES_DESCRIPTOR_TAG) {
      ctx.issue('warning', 'ESDS_NO_ES_DESCRIPTOR', 'esds does not start with an ES_Descriptor (tag 0x03)', r.startOffset);
      r.syntaxPrefix = boxPrefix;
      return out;
    }
    out.esId = r.u16('ES_ID');
    const flags = r.u8();
    r.split(flags, 8, ES_FLAG_BITS);
    out.streamPriority = flags & 0x1f;
    if (flags & 0x80) out.dependsOnEsId = r.u16('dependsOn_ES_ID');
    if (flags & 0x40) {
      const n = r.u8('URLlength');
      out.url = decodeUtf8(r.bytesCopy(n, 'URLstring'));
    }
    if (flags & 0x20) out.ocrEsId = r.u16('OCR_ES_Id');
    const esPrefix = r.syntaxPrefix;
    while (r.pos < es.end) {
      const d = readDescriptor(r, es.end, ctx, esPrefix);
      if (!d) break;
      if (d.tag === DECODER_CONFIG_DESCRIPTOR_TAG) {
        out.objectTypeIndication = r.u8('objectTypeIndication');
        const b = r.u8();
        r.split(b, 8, [['streamType', 6], ['upStream', 1], ['reserved', 1]]);
        out.streamType = b >> 2;
        out.upStream = (b & 0x02) !== 0;
        out.bufferSizeDB = r.u24('bufferSizeDB');
        out.maxBitrate = r.u32('maxBitrate');
        out.avgBitrate = r.u32('avgBitrate');
        const configPrefix = r.syntaxPrefix;
        while (r.pos < d.end) {
          const inner = readDescriptor(r, d.end, ctx, configPrefix);
          if (!inner) break;
          if (inner.tag === DECODER_SPECIFIC_INFO_TAG && !out.decoderSpecificInfo) {
            out.decoderSpecificInfo = { offset: r.offset, bytes: r.bytesCopy(inner.end - inner.start, 'specificInfo') };
          }
          r.syntaxPrefix = configPrefix;
          r.pos = inner.end;
        }
      } else if (d.tag === SL_CONFIG_DESCRIPTOR_TAG) {
        out.slConfigPredefined = r.u8('predefined');
      }
      r.syntaxPrefix = esPrefix;
      r.pos = d.end;
    }
    r.syntaxPrefix = boxPrefix;
    return out;
  },
});
