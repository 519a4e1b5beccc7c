import assert from 'node:assert/strict';
import type { FieldLocation } from '../../../../../src/formats/bits/syntax';

/** Raw indices of emulation-prevention bytes, found independently of the code under test. */
export function epbPositions(nal: Uint8Array): Set<number> {
  const out = new Set<number>();
  let zeros = 0;
  nal.forEach((b, i) => {
    if (zeros >= 2 && b === 3) {
      out.add(i);
      zeros = 0;
      return;
    }
    zeros = b === 0 ? zeros + 1 : 0;
  });
  return out;
}

/**
 * Re-reads every located element from the raw input: the bytes [byteOffset, byteOffset + byteLength)
 * minus emulation-prevention bytes must hold the element's bits at bitOffset % 8 with its value.
 */
export function assertLocationsReadBackFromRaw(input: Uint8Array, base: number, locations: FieldLocation[]): void {
  const epb = epbPositions(input);
  for (const l of locations) {
    const start = l.byteOffset - base;
    const bytes: number[] = [];
    for (let i = start; i < start + l.byteLength; i++) if (!epb.has(i)) bytes.push(input[i] ?? 0);
    assert.ok(!epb.has(start), `${l.path} starts on an emulation-prevention byte`);
    let bits = '';
    for (const b of bytes) bits += b.toString(2).padStart(8, '0');
    const coded = bits.slice(l.bitOffset % 8, (l.bitOffset % 8) + l.bitLength);
    assert.equal(coded.length, l.bitLength, `${l.path}: the byte span holds all its bits`);
    assert.ok(bits.length - (l.bitOffset % 8) - l.bitLength < 8, `${l.path}: the byte span is not longer than needed`);
    if (l.descriptor.startsWith('u(') || l.descriptor.startsWith('f(')) assert.equal(parseInt(coded, 2), l.value, `${l.path} value from raw bytes`);
    else if (l.descriptor === 'ue(v)') {
      const zeros = coded.indexOf('1');
      assert.equal(parseInt(coded.slice(zeros), 2) - 1, l.value, `${l.path} ue(v) from raw bytes`);
    }
  }
}
