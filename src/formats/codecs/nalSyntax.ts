import { unescapeRbsp } from '../bits/rbsp';
import { SyntaxReader } from '../bits/syntaxReader';
import type { FieldLocation, Fields } from '../bits/syntax';
import { issue } from '../issues';
import { listed } from '../listed';
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

/** A reserved field of a config record that is not all ones: the field it comes before, and its byte. */
export interface ReservedBitsNotOnes {
  before: string;
  offset: number;
}

/**
 * Reads `n` reserved bits of a record, the field before `before`, and notes them in `found` when they are
 * not all ones. (Into a scratch object: the record's fields do not list reserved bits.)
 */
export function readReserved(r: SyntaxReader, n: number, before: string, found: ReservedBitsNotOnes[]): void {
  const value = r.f({}, 'reserved', n);
  if (r.ok && value !== 2 ** n - 1) found.push({ before, offset: r.locations[r.locations.length - 1]?.byteOffset ?? 0 });
}

/**
 * One info issue for all the reserved fields of a config record that are not all ones. ISO/IEC 14496-15
 * writes them as ones, but decoders ignore them and some producers write zeros (a GetMedia capture of an
 * early KVS producer has avcC bytes `03 01` where `FF E1` would be), so alone they do no harm.
 */
export function reservedBitsIssues(code: string, what: string, found: readonly ReservedBitsNotOnes[]): Issue[] {
  const first = found[0];
  if (!first) return [];
  const list = listed(found.map((f) => f.before));
  return [
    issue(
      'info',
      `${code}_RESERVED_BITS`,
      `The reserved bits before ${list} are not all ones, as ISO/IEC 14496-15 writes them in an ${what}. Decoders ignore them and some producers write zeros, so they do no harm by themselves.`,
      first.offset,
    ),
  ];
}

/** Issue for an input that is not a NAL unit of the expected type. */
export function wrongNalIssue(code: string, what: string, got: string, offset: number): Issue {
  return issue('error', `${code}_WRONG_NAL_TYPE`, `Expected ${what}, found ${got}.`, offset);
}

