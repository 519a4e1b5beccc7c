// Reading one element header (id and size VINT) from bytes in memory, for the stream splitter and for
// re-packaging producer headers. Never throws; tells apart "need more bytes" from "not EBML".
import { elementIdValue, UNKNOWN_SIZE, vintValue, vintWidth } from '../../ebml/vint';

export const HeaderParse = {
  Ok: 0,
  /** The header goes on past the bytes given. */
  NeedMore: 1,
  /** Not a valid id (first byte 0x00, more than 4 bytes, reserved value) or size (first byte 0x00). */
  Invalid: 2,
} as const;
export type HeaderParseStatus = (typeof HeaderParse)[keyof typeof HeaderParse];

export interface ElementHead {
  id: number;
  /** Data size, or -1 ({@link UNKNOWN_SIZE}) for an unknown size. */
  size: number;
  /** Bytes of id and size together. */
  headerSize: number;
  /** Bytes of the size field (to tell FF from 01 FF FF FF FF FF FF FF). */
  sizeWidth: number;
}

/** Reads the element header at bytes[pos, end) into `out`. Ids longer than 4 bytes are invalid (EBMLMaxIDLength 4). */
export function readElementHead(bytes: Uint8Array, pos: number, end: number, out: ElementHead): HeaderParseStatus {
  if (pos >= end) return HeaderParse.NeedMore;
  const idWidth = vintWidth(bytes[pos] ?? 0);
  if (idWidth === 0 || idWidth > 4) return HeaderParse.Invalid;
  if (pos + idWidth >= end) return HeaderParse.NeedMore;
  const id = elementIdValue(bytes, pos, idWidth);
  if (id < 0) return HeaderParse.Invalid;
  const sizeWidth = vintWidth(bytes[pos + idWidth] ?? 0);
  if (sizeWidth === 0) return HeaderParse.Invalid;
  if (pos + idWidth + sizeWidth > end) return HeaderParse.NeedMore;
  out.id = id;
  out.size = vintValue(bytes, pos + idWidth, sizeWidth);
  out.headerSize = idWidth + sizeWidth;
  out.sizeWidth = sizeWidth;
  return HeaderParse.Ok;
}

export function emptyElementHead(): ElementHead {
  return { id: 0, size: 0, headerSize: 0, sizeWidth: 0 };
}

export { UNKNOWN_SIZE };
