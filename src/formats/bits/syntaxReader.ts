import { BitReader } from './bitReader';
import { rawIndexOf } from './rbsp';
import type { Rbsp } from './rbsp';
import type { FieldLocation, Fields, FieldValue, SyntaxStop } from './syntax';

type Target = Fields | FieldValue[];

const READ_U = 0;
const READ_F = 1;
const READ_UE = 2;
const READ_SE = 3;

/**
 * Reads syntax elements into a target object and records their locations. After the first failure
 * (data ran out, malformed exp-Golomb code, or a value the parser declared invalid) every read is a
 * no-op returning 0 that assigns nothing, so `fields` holds exactly the elements that were read.
 */
export class SyntaxReader {
  readonly bits: BitReader;
  readonly locations: FieldLocation[] = [];
  stop: SyntaxStop | undefined;
  private prefix = '';

  constructor(
    private readonly rbsp: Rbsp,
    /** Absolute offset of rbsp byte 0 in the input. */
    private readonly baseOffset: number,
  ) {
    this.bits = new BitReader(rbsp.bytes);
  }

  get ok(): boolean {
    return this.stop === undefined;
  }

  u(target: Target, key: string | number, n: number): number {
    return this.read(target, key, READ_U, n);
  }

  /** f(n): fixed-pattern bits (forbidden_zero_bit, reserved bits). */
  f(target: Target, key: string | number, n: number): number {
    return this.read(target, key, READ_F, n);
  }

  ue(target: Target, key: string | number): number {
    return this.read(target, key, READ_UE, 0);
  }

  se(target: Target, key: string | number): number {
    return this.read(target, key, READ_SE, 0);
  }

  /**
   * bit(8·n): an embedded byte string (a NAL unit inside a config record). Assigns it as hex and returns
   * the index of its first byte in the window, or -1 when the data ends first (byte-aligned reads only).
   */
  bytes(target: Target, key: string | number, n: number): number {
    if (this.stop) return -1;
    const start = this.bits.pos;
    if ((start & 7) !== 0 || start + n * 8 > this.bits.bitLength) {
      this.stop = { kind: 'truncated', path: this.join(key), bitOffset: start, message: 'data ends inside this element' };
      this.bits.skip(this.bits.bitsLeft + 1);
      return -1;
    }
    const first = start >>> 3;
    let hex = '';
    for (let i = first; i < first + n; i++) hex += (this.rbsp.bytes[i] ?? 0).toString(16).padStart(2, '0');
    (target as Record<string | number, FieldValue>)[key] = hex;
    this.bits.skip(n * 8);
    if (n > 0) {
      const rawFirst = rawIndexOf(this.rbsp, first);
      this.locations.push({
        path: this.join(key),
        value: n,
        descriptor: `bit(8*${n})`,
        bitOffset: start,
        bitLength: n * 8,
        byteOffset: this.baseOffset + rawFirst,
        byteLength: rawIndexOf(this.rbsp, first + n - 1) - rawFirst + 1,
      });
    }
    return first;
  }

  /** Runs `fn` with `name` appended to the location path (`.name`, or `[name]` for numbers). */
  within<T>(name: string | number, fn: () => T): T {
    const saved = this.prefix;
    this.prefix = this.join(name);
    try {
      return fn();
    } finally {
      this.prefix = saved;
    }
  }

  /** Stops the parse because a value is out of the range the syntax allows. */
  invalid(key: string | number, message: string): void {
    if (this.stop) return;
    this.stop = { kind: 'invalid', path: this.join(key), bitOffset: this.bits.pos, message };
  }

  /** Absolute input offset of the byte holding RBSP bit `bitPos`. */
  byteOffsetOfBit(bitPos: number): number {
    return this.baseOffset + rawIndexOf(this.rbsp, Math.floor(bitPos / 8));
  }

  private read(target: Target, key: string | number, kind: number, n: number): number {
    if (this.stop) return 0;
    const start = this.bits.pos;
    const value = kind === READ_UE ? this.bits.ue() : kind === READ_SE ? this.bits.se() : this.bits.u(n);
    if (this.bits.exhausted) {
      const malformed = this.bits.malformed;
      this.stop = {
        kind: malformed ? 'malformed' : 'truncated',
        path: this.join(key),
        bitOffset: start,
        message: malformed ? 'exp-Golomb code with more than 32 leading zero bits' : 'data ends inside this element',
      };
      return 0;
    }
    (target as Record<string | number, FieldValue>)[key] = value;
    const bitLength = this.bits.pos - start;
    const rawFirst = rawIndexOf(this.rbsp, start >>> 3);
    const rawLast = rawIndexOf(this.rbsp, (this.bits.pos - 1) >>> 3);
    this.locations.push({
      path: this.join(key),
      value,
      descriptor: kind === READ_UE ? 'ue(v)' : kind === READ_SE ? 'se(v)' : `${kind === READ_F ? 'f' : 'u'}(${n})`,
      bitOffset: start,
      bitLength,
      byteOffset: this.baseOffset + rawFirst,
      byteLength: rawLast - rawFirst + 1,
    });
    return value;
  }

  private join(key: string | number): string {
    if (typeof key === 'number') return `${this.prefix}[${key}]`;
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }
}
