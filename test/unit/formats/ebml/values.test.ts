import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDate, decodeFloat, decodeInt, decodeString, decodeUint, decodeUtf8 } from '../../../../src/formats/ebml/values';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

test('unsigned integers: number while safe, bigint above 2^53', () => {
  assert.equal(decodeUint(b(), 0, 0), 0);
  assert.equal(decodeUint(b(0x0f, 0x42, 0x40), 0, 3), 1_000_000);
  assert.equal(decodeUint(b(0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, 8), Number.MAX_SAFE_INTEGER);
  assert.equal(decodeUint(b(0xf7, 0x12, 0x52, 0x33, 0x43, 0x53, 0x7c, 0x2f), 0, 8), 0xf712523343537c2fn);
  assert.equal(decodeUint(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, 8), 2n ** 64n - 1n);
});

test('signed integers in two’s complement of any length', () => {
  assert.equal(decodeInt(b(), 0, 0), 0);
  assert.equal(decodeInt(b(0xff), 0, 1), -1);
  assert.equal(decodeInt(b(0xd8), 0, 1), -40);
  assert.equal(decodeInt(b(0x7f, 0xff), 0, 2), 32767);
  assert.equal(decodeInt(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe), 0, 8), -2);
  assert.equal(decodeInt(b(0x80, 0, 0, 0, 0, 0, 0, 0), 0, 8), -(2n ** 63n));
});

test('floats of 4 and 8 bytes; empty is 0; other lengths are NaN', () => {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setFloat32(0, 48000);
  view.setFloat64(4, 2021.5);
  assert.equal(decodeFloat(bytes, 0, 4), 48000);
  assert.equal(decodeFloat(bytes, 4, 8), 2021.5);
  assert.equal(decodeFloat(bytes, 0, 0), 0);
  assert.ok(Number.isNaN(decodeFloat(bytes, 0, 3)));
  assert.ok(Number.isNaN(decodeFloat(bytes, 8, 8)), 'past the end');
});

test('strings stop at NUL padding (old KVS SDKs wrote "matroska\\0")', () => {
  const text = new TextEncoder().encode('matroska\0\0\0');
  assert.equal(decodeString(text, 0, text.length), 'matroska');
  const utf = new TextEncoder().encode('Kinesis Vidéo ✓\0');
  assert.equal(decodeUtf8(utf, 0, utf.length), 'Kinesis Vidéo ✓');
  assert.equal(decodeUtf8(b(0xc3), 0, 1), '\ufffd', 'malformed UTF-8 is replaced, not thrown');
});

test('dates are nanoseconds since 2001-01-01', () => {
  assert.equal(decodeDate(b(), 0, 0), '2001-01-01T00:00:00.000Z');
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, 86_400_000_000_000n + 1_500_000n);
  assert.equal(decodeDate(bytes, 0, 8), '2001-01-02T00:00:00.001Z');
  new DataView(bytes.buffer).setBigInt64(0, -1_000_000_000n);
  assert.equal(decodeDate(bytes, 0, 8), '2000-12-31T23:59:59.000Z');
});
