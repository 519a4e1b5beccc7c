import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elementIdValue, signedVintValue, UNKNOWN_SIZE, vintValue, vintWidth } from '../../../../src/formats/ebml/vint';
import { MATROSKA_ELEMENTS } from '../../../../src/formats/matroska/elementTable';
import { idBytes, sizeBytes, unknownSize } from './ebmlBytes';

test('the VINT width comes from the leading zero bits; 0x00 has none', () => {
  assert.deepEqual(
    [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01, 0xff, 0x7f, 0x00].map(vintWidth),
    [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 0],
  );
});

test('VINT values in every width, with the marker bit removed', () => {
  for (let width = 1; width <= 8; width++) {
    for (const value of [0, 1, 127, Math.min(2 ** (7 * width) - 2, Number.MAX_SAFE_INTEGER)]) {
      if (value > 2 ** (7 * width) - 2) continue;
      const bytes = Uint8Array.from(sizeBytes(value, width));
      assert.equal(bytes.length, width);
      assert.equal(vintValue(bytes, 0, width), value, `width ${width} value ${value}`);
    }
  }
  assert.equal(vintValue(Uint8Array.from([0x42, 0x86]), 0, 2), 0x286);
});

test('all ones is an unknown size in any width (1 to 8 bytes)', () => {
  for (let width = 1; width <= 8; width++) {
    const bytes = Uint8Array.from(unknownSize(width));
    assert.equal(vintWidth(bytes[0] ?? 0), width);
    assert.equal(vintValue(bytes, 0, width), UNKNOWN_SIZE, `width ${width}`);
  }
  // KVS GetMedia writes the 8-byte form.
  assert.equal(vintValue(Uint8Array.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 8), UNKNOWN_SIZE);
});

test('signed VINTs (EBML lacing deltas) subtract half the range', () => {
  assert.equal(signedVintValue(Uint8Array.from([0xbf]), 0, 1), 0);
  assert.equal(signedVintValue(Uint8Array.from([0x80]), 0, 1), -63);
  assert.equal(signedVintValue(Uint8Array.from([0x5f, 0xff]), 0, 2), 0);
  assert.equal(signedVintValue(Uint8Array.from([0x60, 0x05]), 0, 2), 6);
});

test('element ids keep their marker bits; reserved and over-long ids are rejected', () => {
  assert.equal(elementIdValue(Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3]), 0, 4), 0x1a45dfa3);
  assert.equal(elementIdValue(Uint8Array.from([0xa3]), 0, 1), 0xa3);
  assert.equal(elementIdValue(Uint8Array.from([0x80]), 0, 1), 0x80, 'all-zero data, but Matroska ChapterDisplay');
  assert.equal(elementIdValue(Uint8Array.from([0x40, 0x00]), 0, 2), -1, 'all-zero data in two bytes');
  assert.equal(elementIdValue(Uint8Array.from([0xff]), 0, 1), -1, 'all-ones data');
  assert.equal(elementIdValue(Uint8Array.from([0x40, 0x01]), 0, 2), -1, 'fits in one byte');
  assert.equal(elementIdValue(Uint8Array.from([0x40, 0x7f]), 0, 2), 0x407f, 'all ones in one byte is reserved there, so two bytes are needed');
});

test('every id in the generated Matroska table is a valid element id', () => {
  assert.ok(MATROSKA_ELEMENTS.length > 250);
  for (const row of MATROSKA_ELEMENTS) {
    const bytes = Uint8Array.from(idBytes(row.id));
    assert.equal(elementIdValue(bytes, 0, vintWidth(bytes[0] ?? 0)), row.id, row.name);
  }
});
