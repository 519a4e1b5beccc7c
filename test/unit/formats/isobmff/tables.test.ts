// Plain MP4 sample tables derived exactly from hand-made stbl boxes: several stts/ctts/stsc runs,
// compact sizes (stz2 with 4-, 8- and 16-bit fields), 64-bit chunk offsets, sync samples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { fieldsOf, readBoxes, readIsoBmff } from '../../../../src/formats/isobmff';
import { fullBox, plainMovie, u16, u32 } from './helpers';

const zeros = (n: number): Uint8Array => new Uint8Array(n);

test('a plain track: stts/ctts/stsc runs, stz2 nibbles, co64 and stss give the exact table', () => {
  const bytes = plainMovie([
    fullBox('stts', 0, 0, u32(2), u32(3), u32(100), u32(4), u32(50)),
    fullBox('ctts', 1, 0, u32(3), u32(2), u32(200), u32(1), u32(0xffffff9c), u32(4), u32(0)),
    fullBox('stsc', 0, 0, u32(2), u32(1), u32(2), u32(1), u32(3), u32(3), u32(1)),
    fullBox('stz2', 0, 0, zeros(3), new Uint8Array([4]), u32(7), new Uint8Array([0x12, 0x34, 0x56, 0x70])),
    fullBox('co64', 0, 0, u32(3), u32(1), u32(0), u32(0), u32(5000), u32(0), u32(7000)),
    fullBox('stss', 0, 0, u32(2), u32(1), u32(5)),
  ]);
  const file = readIsoBmff(bytesSource(bytes));
  // The table points past the end of this file, which holds no media data.
  assert.deepEqual(file.issues.map((i) => [i.code, i.message, i.offset]), [
    ['SAMPLE_DATA_PAST_END', `track 5: 7 of 7 samples (the first is number 1, at byte ${0x1_0000_0000}) end past the end of the data (${bytes.length}): the file was cut short, or its chunk offsets are wrong`, Buffer.from(bytes).indexOf('co64') - 4],
  ]);
  assert.equal(file.kind, 'plain');
  const t = file.tracks[0];
  assert.ok(t);
  assert.equal(t.id, 5);
  assert.equal(t.codec, 'avc1');
  assert.equal(t.width, 640);
  assert.equal(t.displayHeight, 360);
  assert.equal(t.language, 'und');
  assert.deepEqual(Array.from(t.config?.bytes ?? []), [1, 0x64, 0, 0x1f, 0xff, 0xe0, 0]);
  assert.equal(t.config?.offset, Buffer.from(bytes).indexOf('avcC') + 4);
  const s = t.samples;
  assert.ok(s);
  assert.deepEqual(Array.from(s.dts), [0, 100, 200, 300, 350, 400, 450]);
  assert.deepEqual(Array.from(s.duration), [100, 100, 100, 50, 50, 50, 50]);
  assert.deepEqual(Array.from(s.cto), [200, 200, -100, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(s.size), [1, 2, 3, 4, 5, 6, 7]);
  const big = 0x1_0000_0000;
  assert.deepEqual(Array.from(s.offset), [big, big + 1, 5000, 5003, 7000, 7005, 7011]);
  assert.deepEqual(Array.from(s.sync), [1, 0, 0, 0, 1, 0, 0]);
});

test('inconsistent tables are reported, not thrown', () => {
  const file = readIsoBmff(bytesSource(plainMovie([
    fullBox('stts', 0, 0, u32(1), u32(5), u32(10)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(2), u32(1)),
    fullBox('stsz', 0, 0, u32(0), u32(6), u32(1), u32(1), u32(1), u32(1), u32(1), u32(1)),
    fullBox('stco', 0, 0, u32(2), u32(100), u32(200)),
    fullBox('stss', 0, 0, u32(1), u32(9)),
  ])));
  // (The test movie has no mdat: its samples are outside one, too.)
  assert.deepEqual(file.issues.map((i) => i.code).sort(), ['CHUNK_TABLE_SHORT', 'SAMPLE_DATA_OUTSIDE_MDAT', 'STSS_SAMPLE_OUT_OF_RANGE', 'STTS_COUNT_MISMATCH']);
  assert.equal(file.issues.find((i) => i.code === 'CHUNK_TABLE_SHORT')?.message, 'track 5: stsc/stco place 4 of 6 samples; the other 2 are left out');
  // Only the samples a chunk holds stay: the others have no bytes to read.
  assert.deepEqual(Array.from(file.tracks[0]?.samples?.offset ?? []), [100, 101, 200, 201]);
  assert.deepEqual(Array.from(file.tracks[0]?.samples?.dts ?? []), [0, 10, 20, 30]);
  const noChunks = readIsoBmff(bytesSource(plainMovie([fullBox('stts', 0, 0, u32(1), u32(2), u32(10)), fullBox('stsz', 0, 0, u32(1), u32(2))])));
  assert.deepEqual(noChunks.issues.map((i) => i.code), ['CHUNK_TABLE_MISSING']);
  assert.equal(noChunks.tracks[0]?.samples?.count, 0);
  // A constant sample size with an absurd count is capped by the data the file could hold.
  const absurd = readIsoBmff(bytesSource(plainMovie([
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(0xfffffff0), u32(1)),
    fullBox('stsz', 0, 0, u32(1000), u32(0xfffffff0)),
    fullBox('stco', 0, 0, u32(1), u32(0)),
  ])));
  assert.ok(absurd.issues.some((i) => i.code === 'STSZ_SAMPLE_COUNT_IMPLAUSIBLE'));
  assert.equal(absurd.tracks[0]?.samples?.count, 1 << 16);
  // The same count in QuickTime's PCM layout (a row per 1024 samples of a chunk) is capped alike.
  const pcm = readIsoBmff(bytesSource(plainMovie([
    fullBox('stts', 0, 0, u32(1), u32(0xfffffff0), u32(1)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(0xfffffff0), u32(1)),
    fullBox('stsz', 0, 0, u32(1), u32(0xfffffff0)),
    fullBox('stco', 0, 0, u32(1), u32(0)),
  ], true)));
  assert.equal(pcm.tracks[0]?.kind, 'audio');
  assert.ok(pcm.issues.some((i) => i.code === 'STSZ_SAMPLE_COUNT_IMPLAUSIBLE'));
  assert.equal(pcm.tracks[0]?.samples?.count, 1 << 16);
});

test('stz2 with 8- and 16-bit fields; an invalid field size', () => {
  const t8 = readBoxes(bytesSource(fullBox('stz2', 0, 0, zeros(3), new Uint8Array([8]), u32(3), new Uint8Array([1, 2, 255]))));
  assert.deepEqual(Array.from(fieldsOf(t8.boxes[0], 'stz2')?.sizes ?? []), [1, 2, 255]);
  const t16 = readBoxes(bytesSource(fullBox('stz2', 0, 0, zeros(3), new Uint8Array([16]), u32(2), u16(0x1234), u16(0xffff))));
  assert.deepEqual(Array.from(fieldsOf(t16.boxes[0], 'stz2')?.sizes ?? []), [0x1234, 0xffff]);
  const bad = readBoxes(bytesSource(fullBox('stz2', 0, 0, zeros(3), new Uint8Array([12]), u32(2), u16(0))));
  assert.deepEqual(bad.issues.map((i) => i.code), ['STZ2_FIELD_SIZE_INVALID']);
});
