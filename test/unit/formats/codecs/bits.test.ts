import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitReader } from '../../../../src/formats/bits/bitReader';
import { findEmulationPrevention, rawIndexOf, unescapeRbsp } from '../../../../src/formats/bits/rbsp';
import { SyntaxReader } from '../../../../src/formats/bits/syntaxReader';
import type { Fields } from '../../../../src/formats/bits/syntax';
import { BitWriter } from './helpers/bitWriter';

test('u(n) reads 1..32 bits MSB first across byte boundaries, and up to 53 bits exactly', () => {
  const r = new BitReader(Uint8Array.of(0b10110011, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc));
  assert.equal(r.u(1), 1);
  assert.equal(r.u(3), 0b011);
  assert.equal(r.u(6), 0b001111);
  assert.equal(r.u(6), 0b111111);
  assert.equal(r.u(32), 0x00123456);
  assert.equal(r.bitsLeft, 24);
  const big = new BitReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  assert.equal(big.u(32), 0xffffffff);
  assert.equal(new BitReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)).u(53), 2 ** 53 - 1);
});

test('ue(v) and se(v) decode the exp-Golomb codes of Table 9-2 and 9-3, including 32-bit values', () => {
  const values = [0, 1, 2, 3, 4, 7, 8, 254, 255, 65535, 2 ** 31, 2 ** 32 - 2];
  const w = new BitWriter();
  for (const v of values) w.ue(v);
  const signed = [0, 1, -1, 2, -2, 127, -128, 2 ** 20, -(2 ** 20)];
  for (const v of signed) w.se(v);
  const r = new BitReader(w.bytes());
  assert.deepEqual(values.map(() => r.ue()), values);
  assert.deepEqual(signed.map(() => r.se()), signed);
  assert.equal(r.exhausted, false);
});

test('reading past the end never throws: it returns 0, sets exhausted and stays at the end', () => {
  const r = new BitReader(Uint8Array.of(0xf0));
  assert.equal(r.u(4), 15);
  assert.equal(r.u(8), 0);
  assert.equal(r.exhausted, true);
  assert.equal(r.pos, 8);
  assert.equal(r.u1(), 0);
  assert.equal(r.ue(), 0);
  const zeros = new BitReader(new Uint8Array(2));
  assert.equal(zeros.ue(), 0);
  assert.equal(zeros.exhausted, true);
  assert.equal(zeros.malformed, false);
});

test('an exp-Golomb code with more than 32 leading zeros is malformed (and stops the reader)', () => {
  const r = new BitReader(Uint8Array.of(0, 0, 0, 0, 0, 0x80));
  assert.equal(r.ue(), 0);
  assert.equal(r.malformed, true);
  assert.equal(r.exhausted, true);
});

test('more_rbsp_data() is true until the rbsp_stop_one_bit, trailing zero bytes included', () => {
  const r = new BitReader(Uint8Array.of(0b10100000, 0x80, 0x00, 0x00));
  assert.equal(r.stopBitPosition(), 8);
  r.u(3);
  assert.equal(r.moreRbspData(), true);
  r.u(5);
  assert.equal(r.moreRbspData(), false);
  assert.equal(new BitReader(new Uint8Array(3)).moreRbspData(), false);
});

test('emulation prevention: 00 00 03 loses its 03 and RBSP indices map back to the input', () => {
  const raw = Uint8Array.of(0x67, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x03, 0x80);
  assert.equal(findEmulationPrevention(raw), 3);
  const rbsp = unescapeRbsp(raw);
  assert.deepEqual([...rbsp.bytes], [0x67, 0, 0, 0x01, 0, 0, 0, 0, 0x03, 0x80]);
  assert.deepEqual(rbsp.removed, [3, 6, 8]);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => rawIndexOf(rbsp, i)),
    [0, 1, 2, 4, 5, 6, 8, 9, 11, 12],
  );
  // no pattern: the input is used as is (no copy)
  const plain = Uint8Array.of(1, 2, 3);
  assert.equal(unescapeRbsp(plain).bytes.buffer, plain.buffer);
  // 00 00 03 at the very end (cabac_zero_word) is dropped too
  assert.deepEqual([...unescapeRbsp(Uint8Array.of(0x80, 0, 0, 3)).bytes], [0x80, 0, 0]);
});

test('SyntaxReader: locations span emulation-prevention bytes; after the first failure nothing more is assigned', () => {
  // a u(24) of value 0x000001 coded as 00 00 03 01 at offset 1000
  const raw = Uint8Array.of(0xaa, 0x00, 0x00, 0x03, 0x01, 0xc0);
  const r = new SyntaxReader(unescapeRbsp(raw), 1000);
  const f: Fields = {};
  r.u(f, 'first', 8);
  assert.equal(r.u(f, 'value', 24), 1);
  assert.deepEqual(r.locations[1], { path: 'value', value: 1, descriptor: 'u(24)', bitOffset: 8, bitLength: 24, byteOffset: 1001, byteLength: 4 });
  r.within('vui', () => r.within('list', () => r.u(f, 3, 2)));
  assert.equal(r.locations[2]?.path, 'vui.list[3]');
  assert.equal(r.u(f, 'past', 16), 0);
  assert.equal(r.ok, false);
  assert.equal(r.stop?.kind, 'truncated');
  assert.equal(r.stop?.path, 'past');
  assert.equal(r.u(f, 'more', 1), 0);
  assert.deepEqual(Object.keys(f), ['3', 'first', 'value']);
  assert.equal(r.locations.length, 3);
});
