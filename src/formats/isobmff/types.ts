import type { Issue, Severity } from '../issues';
import type { BoxReader } from './reader';

/** One box of the tree. Offsets are absolute byte offsets in the source. */
export interface Box {
  /** Four-character code ('moov'); for 'uuid' boxes see `uuid`. */
  readonly type: string;
  /** Offset of the box header. */
  readonly offset: number;
  /**
   * Size of the box header: 8, 16 with a 64-bit largesize, +16 for a uuid usertype. Full boxes have
   * their version (1 byte) and flags (3 bytes) in the 4 bytes after it.
   */
  readonly headerSize: number;
  /**
   * Size of the whole box as declared (size 0 resolved to "up to the end of the parent"). When the box
   * runs past its parent or the source, `truncated` is set and only the bytes up to there were parsed.
   */
  readonly size: number;
  /** For full boxes: version and flags. */
  readonly version?: number;
  readonly flags?: number;
  /** Hex usertype of a 'uuid' box. */
  readonly uuid?: string;
  /** Decoded fields when the type is registered; see `fieldsOf()` for the typed view. */
  fields?: unknown;
  /** Child boxes of container boxes. */
  children?: Box[];
  /** The declared size runs past the end of the parent or of the source. */
  truncated?: boolean;
}

/** What a box parser gets besides the reader (positioned after the header, version and flags). */
export interface BoxContext {
  readonly type: string;
  /** Offset of the box header. */
  readonly offset: number;
  readonly size: number;
  readonly version: number;
  readonly flags: number;
  /** Handler of the enclosing track ('vide', 'soun', ...), when already seen; sample entries use it. */
  readonly handler: string | undefined;
  /** Report a problem at an absolute offset. */
  issue(severity: Severity, code: string, message: string, offset: number): void;
}

/**
 * One box type. Adding a box is a module exporting one of these plus an entry in `registry.ts`.
 * - `full`: the payload starts with version (8 bits) and flags (24 bits); the walker reads them.
 * - `container`: child boxes follow whatever `parse` consumed (or start right after the header).
 * - `parse`: decodes the fields; it must only read through `r` (bounded to the box payload).
 */
export interface BoxSpec<F = unknown> {
  readonly type: string;
  /** Name from ISO/IEC 14496-12 and friends ('TrackHeaderBox'). */
  readonly name: string;
  readonly full?: boolean;
  readonly container?: boolean;
  readonly parse?: (r: BoxReader, ctx: BoxContext) => F;
}

/** Result of walking boxes, with the problems found. */
export interface BoxTree {
  readonly boxes: Box[];
  readonly issues: Issue[];
}

export interface ByteRange {
  /** Absolute offset of the first byte. */
  readonly offset: number;
  readonly bytes: Uint8Array;
}
