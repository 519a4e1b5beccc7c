import type { ContainerField } from '../bits/syntax';
import type { ByteSource } from '../byteSource';
import { BoxReader } from './reader';
import { boxSpec } from './registry';
import type { Box, BoxContext } from './types';

/** Where a box sits for its parser: sample entries under 'stsd' depend on the track's handler. */
export interface BoxPlace {
  readonly parentType?: string | undefined;
  /** The enclosing track's handler_type ('vide', 'soun'). */
  readonly handler?: string | undefined;
}

/** The most bytes of one box read to list its fields (a moov's sample tables stay well under). */
const MAX_SYNTAX_BYTES = 64 * 1024 * 1024;

/**
 * The fields of one box under the names of its specification (ISO/IEC 14496-12, -14, -15, ISO/IEC
 * 23009-1 for 'emsg', Apple's for QuickTime's additions), each with its offset: the header (size, type,
 * largesize, usertype, version, flags), then what the box's parser reads. Tables list every entry.
 * Child boxes are not included (list theirs). Never throws: a field the box is too short for is left out.
 */
export function boxSyntax(source: ByteSource, box: Box, place: BoxPlace = {}): ContainerField[] {
  const spec = boxSpec(box.type, place.parentType, place.handler);
  const headerEnd = box.headerSize + (spec?.full ? 4 : 0);
  const length = Math.min(spec?.parse ? box.size : headerEnd, MAX_SYNTAX_BYTES, source.size - box.offset);
  const bytes = source.read(box.offset, Math.max(0, length));
  const r = new BoxReader(bytes, box.offset);
  r.syntax = [];
  r.syntaxOrigin = box.offset;
  r.reset(0, bytes.length);
  if (r.u32('size') === 1) {
    r.fourcc('type');
    r.u64('largesize');
  } else {
    r.fourcc('type');
  }
  if (box.uuid !== undefined) r.skip(16, 'usertype');
  let version = 0;
  let flags = 0;
  if (spec?.full) {
    version = r.u8('version');
    flags = r.u24('flags');
  }
  if (spec?.parse && !r.overrun) {
    r.reset(headerEnd, bytes.length);
    const ctx: BoxContext = { type: box.type, offset: box.offset, size: box.size, version, flags, handler: place.handler, issue: () => undefined };
    try {
      spec.parse(r, ctx);
    } catch {
      // The walk reports a box that cannot be decoded; the fields read so far stand.
    }
  }
  return r.syntax;
}
