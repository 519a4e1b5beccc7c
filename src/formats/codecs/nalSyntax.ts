import { unescapeRbsp } from '../bits/rbsp';
import { SyntaxReader } from '../bits/syntaxReader';
import type { FieldLocation, Fields } from '../bits/syntax';
import { issue } from '../issues';
import type { Issue } from '../issues';

/** Result of decoding one bit-level structure (a parameter set, a config record). */
export interface ParsedSyntax<D> {
  /** Syntax elements named as in the specification's syntax tables. */
  fields: Fields;
  /** Values the specification derives from the elements (sizes, names, rates), when they could be. */
  derived: D;
  locations: FieldLocation[];
  issues: Issue[];
  /** Absolute offset and length of the structure in the input. */
  offset: number;
  length: number;
}

/** Opens a NAL unit (header byte(s) first, no start code) for reading; bit 0 is the header's first bit. */
export function openNal(nal: Uint8Array, baseOffset: number): SyntaxReader {
  return new SyntaxReader(unescapeRbsp(nal), baseOffset);
}

/** Opens a byte-aligned record that has no emulation prevention (avcC, hvcC, AudioSpecificConfig). */
export function openRecord(bytes: Uint8Array, baseOffset: number): SyntaxReader {
  return new SyntaxReader({ bytes, removed: [] }, baseOffset);
}

/** Turns the reader's stop (if any) into an issue: `${code}_TRUNCATED`, `_MALFORMED` or `_INVALID`. */
export function stopIssues(r: SyntaxReader, code: string, what: string): Issue[] {
  const stop = r.stop;
  if (!stop) return [];
  const offset = r.byteOffsetOfBit(stop.bitOffset);
  if (stop.kind === 'truncated') {
    return [issue('error', `${code}_TRUNCATED`, `${what} is truncated: it ends while reading ${stop.path} (bit ${stop.bitOffset}); the fields before it are shown.`, offset)];
  }
  if (stop.kind === 'malformed') {
    return [issue('error', `${code}_MALFORMED`, `${what}: ${stop.path} is not a valid exp-Golomb code (${stop.message}).`, offset)];
  }
  return [issue('error', `${code}_INVALID`, `${what}: ${stop.path} ${stop.message}.`, offset)];
}

/** After a complete parse: the next bit must be rbsp_stop_one_bit followed by zero bits only. */
export function trailingBitsIssues(r: SyntaxReader, code: string, what: string): Issue[] {
  if (!r.ok) return [];
  const bits = r.bits;
  const stopBit = bits.stopBitPosition();
  if (stopBit === bits.pos) return [];
  const offset = r.byteOffsetOfBit(Math.min(bits.pos, Math.max(0, bits.bitLength - 1)));
  if (stopBit < bits.pos) {
    return [issue('warning', `${code}_NO_STOP_BIT`, `${what} has no rbsp_stop_one_bit after its last element (bit ${bits.pos}).`, offset)];
  }
  return [
    issue(
      'warning',
      `${code}_TRAILING_DATA`,
      `${what} has ${stopBit - bits.pos} bits of data after its last decoded element (bit ${bits.pos}); they were not decoded.`,
      offset,
    ),
  ];
}

/** Issue for an input that is not a NAL unit of the expected type. */
export function wrongNalIssue(code: string, what: string, got: string, offset: number): Issue {
  return issue('error', `${code}_WRONG_NAL_TYPE`, `Expected ${what}, found ${got}.`, offset);
}

