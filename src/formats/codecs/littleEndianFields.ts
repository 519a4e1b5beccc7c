import type { FieldLocation, Fields } from '../bits/syntax';
import { hex } from '../hex';

/** The integer types of Windows structures (mmreg.h, wingdi.h), all little-endian. */
export type WindowsInteger = 'WORD' | 'DWORD' | 'LONG';

const SIZES: Record<WindowsInteger, number> = { WORD: 2, DWORD: 4, LONG: 4 };

/**
 * Reads a Windows structure (WAVEFORMATEX, BITMAPINFOHEADER) field by field into `fields`, each with its
 * location, from bytes[pos] on.
 */
export class LittleEndianFields {
  pos = 0;
  readonly fields: Fields = {};
  readonly locations: FieldLocation[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly baseOffset: number,
  ) {}

  /** The field's value, or undefined (nothing read) when the bytes end first. */
  read(name: string, type: WindowsInteger): number | undefined {
    const size = SIZES[type];
    const at = this.pos;
    if (at + size > this.bytes.length) return undefined;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + (this.bytes[at + i] ?? 0);
    if (type === 'LONG' && value >= 2 ** 31) value -= 2 ** 32;
    this.fields[name] = value;
    this.locate(name, value, type, size);
    return value;
  }

  /** The bytes up to `end` as hex, under `name` (extra data a structure carries for its codec). */
  readHex(name: string, end: number): void {
    const length = end - this.pos;
    if (length <= 0) return;
    this.fields[name] = hex(this.bytes, this.pos, end);
    this.locate(name, length, `bit(8*${length})`, length);
  }

  /** Notes a field of `size` bytes at the position, and moves past it. */
  locate(path: string, value: number, descriptor: string, size: number): void {
    this.locations.push({ path, value, descriptor, bitOffset: this.pos * 8, bitLength: size * 8, byteOffset: this.baseOffset + this.pos, byteLength: size });
    this.pos += size;
  }
}
