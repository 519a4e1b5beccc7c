// EBML primitives: ids, size VINTs of chosen and forced widths, unknown sizes, values of every type,
// checked byte for byte and against the reader's decoders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFloat, decodeInt, decodeString, decodeUint, decodeUtf8 } from '../../../../src/formats/ebml/values';
import { UNKNOWN_SIZE, vintValue, vintWidth } from '../../../../src/formats/ebml/vint';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { emptyElementHead, HeaderParse, readElementHead } from '../../../../src/formats/matroska/ingest/elementHeader';
import {
  binaryElement,
  elementHeader,
  encode,
  floatElement,
  intElement,
  masterElement,
  sizeLength,
  stringElement,
  uintElement,
  unknownSizeMaster,
  utf8Element,
} from '../../../../src/formats/matroska/write';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

test('ids keep their marker bits and take 1 to 4 bytes', () => {
  assert.equal(hex(encode(elementHeader(Id.EBML, 0))), '1a 45 df a3 80');
  assert.equal(hex(encode(elementHeader(Id.TimestampScale, 0))), '2a d7 b1 80');
  assert.equal(hex(encode(elementHeader(Id.Tag, 0))), '73 73 80');
  assert.equal(hex(encode(elementHeader(Id.SimpleBlock, 0))), 'a3 80');
  assert.throws(() => elementHeader(0x7f, 0), RangeError);
});

test('sizes take the shortest VINT that is not all ones, or the width asked for', () => {
  const cases: [number, number][] = [
    [0, 1], [126, 1], [127, 2], [16382, 2], [16383, 3], [2 ** 21 - 2, 3], [2 ** 21 - 1, 4], [2 ** 28 - 1, 5], [2 ** 49 - 1, 8],
  ];
  for (const [size, width] of cases) {
    assert.equal(sizeLength(size), width, `size ${size}`);
    const bytes = encode(elementHeader(Id.Void, size));
    assert.equal(bytes.length, 1 + width);
    assert.equal(vintWidth(bytes[1] ?? 0), width);
    assert.equal(vintValue(bytes, 1, width), size);
  }
  // Forced widths, as KVS writes 4- and 8-byte sizes.
  assert.equal(hex(encode(elementHeader(Id.Tags, 5, { sizeWidth: 4 }))), '12 54 c3 67 10 00 00 05');
  assert.equal(hex(encode(elementHeader(Id.SimpleBlock, 300, { sizeWidth: 8 }))), 'a3 01 00 00 00 00 00 01 2c');
  assert.throws(() => elementHeader(Id.Void, 127, { sizeWidth: 1 }), RangeError, '127 is the unknown size in one byte');
  assert.throws(() => elementHeader(Id.Void, 5, { sizeWidth: 9 }), RangeError);
  assert.throws(() => elementHeader(Id.Void, -1), RangeError);
});

test('unknown sizes in the 1-byte and 8-byte forms', () => {
  assert.equal(hex(encode(elementHeader(Id.Segment, 'unknown'))), '18 53 80 67 ff');
  assert.equal(hex(encode(elementHeader(Id.Segment, 'unknown', { sizeWidth: 8 }))), '18 53 80 67 01 ff ff ff ff ff ff ff');
  const cluster = encode(unknownSizeMaster(Id.Cluster, [uintElement(Id.Timestamp, 7)]));
  assert.equal(hex(cluster), '1f 43 b6 75 ff e7 81 07');
  const head = emptyElementHead();
  for (const width of [1, 2, 4, 8]) {
    const bytes = encode(elementHeader(Id.Cluster, 'unknown', { sizeWidth: width }));
    assert.equal(readElementHead(bytes, 0, bytes.length, head), HeaderParse.Ok);
    assert.equal(head.size, UNKNOWN_SIZE);
    assert.equal(head.sizeWidth, width);
  }
});

test('values decode back with the reader', () => {
  const check = (bytes: Uint8Array, dataLength: number): number => {
    const head = emptyElementHead();
    assert.equal(readElementHead(bytes, 0, bytes.length, head), HeaderParse.Ok);
    assert.equal(head.size, dataLength);
    assert.equal(bytes.length, head.headerSize + dataLength);
    return head.headerSize;
  };
  for (const value of [0, 1, 255, 256, 65535, 1_000_000, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
    const bytes = encode(uintElement(Id.TimestampScale, value));
    const at = check(bytes, bytes.length - 4);
    assert.equal(decodeUint(bytes, at, bytes.length - at), value);
  }
  const big = 0xfedcba9876543210n;
  const uid = encode(uintElement(Id.TrackUID, big));
  assert.equal(decodeUint(uid, 3, 8), big);
  const fixed = encode(uintElement(Id.Timestamp, 5, { length: 8 }));
  assert.equal(hex(fixed), 'e7 88 00 00 00 00 00 00 00 05');
  assert.throws(() => uintElement(Id.Timestamp, 256, { length: 1 }), RangeError);
  assert.throws(() => uintElement(Id.Timestamp, -1), RangeError);

  for (const value of [0, -1, 127, -128, 128, -129, -32768, 32767, -(2 ** 40), 2 ** 40]) {
    const bytes = encode(intElement(Id.ReferenceBlock, value));
    const at = check(bytes, bytes.length - 2);
    assert.equal(decodeInt(bytes, at, bytes.length - at), value, `int ${value}`);
  }
  assert.equal(hex(encode(intElement(Id.ReferenceBlock, -1))), 'fb 81 ff');

  const double = encode(floatElement(Id.SamplingFrequency, 44100.5));
  assert.equal(decodeFloat(double, 2, 8), 44100.5);
  const single = encode(floatElement(Id.SamplingFrequency, 0.5, 4));
  assert.equal(single.length, 6);
  assert.equal(decodeFloat(single, 2, 4), 0.5);

  const ascii = encode(stringElement(Id.CodecID, 'V_MPEG4/ISO/AVC'));
  assert.equal(decodeString(ascii, 2, ascii.length - 2), 'V_MPEG4/ISO/AVC');
  const text = encode(utf8Element(Id.Title, 'Küche 📹'));
  assert.equal(decodeUtf8(text, 3, text.length - 3), 'Küche 📹');
  const binary = encode(binaryElement(Id.CodecPrivate, new Uint8Array([1, 2, 3]), { sizeWidth: 4 }));
  assert.equal(hex(binary), '63 a2 10 00 00 03 01 02 03');
});

test('masters hold their children; one allocation writes the tree', () => {
  const tree = masterElement(Id.Tags, [masterElement(Id.Tag, [masterElement(Id.SimpleTag, [stringElement(Id.TagName, 'A'), stringElement(Id.TagString, 'b')])])]);
  const bytes = encode(tree);
  assert.equal(bytes.length, tree.length);
  assert.equal(hex(bytes), '12 54 c3 67 8e 73 73 8b 67 c8 88 45 a3 81 41 44 87 81 62');
  // Writing into a larger buffer at an offset touches only [at, at + length).
  const out = new Uint8Array(tree.length + 4).fill(0xaa);
  assert.equal(tree.write(out, 2), 2 + tree.length);
  assert.deepEqual(out.subarray(2, 2 + tree.length), bytes);
  assert.equal(out[0], 0xaa);
  assert.equal(out[out.length - 1], 0xaa);
});
