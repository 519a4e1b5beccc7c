// Fragments read while the box walk goes on: trun entries kept as stored and decoded on demand, top-level
// boxes handed over as they are read, and files whose moov comes after fragments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { fieldsOf, findBoxes, readBoxes, readIsoBmff, type Box } from '../../../../src/formats/isobmff';
import { box, concat, fixture, fullBox, u32 } from './helpers';

test('trun entries are kept as stored; each per-sample column is decoded from them', () => {
  const flags = 0x001 | 0x100 | 0x200 | 0x400 | 0x800;
  const entries = [
    [10, 100, 0x02000000, 0],
    [20, 200, 0x01010000, 0xfffffffe],
    [30, 300, 0x01010000, 5],
  ];
  const trun = fullBox('trun', 1, flags, u32(3), u32(16), ...entries.flat().map(u32));
  const run = fieldsOf(findBoxes(readBoxes(bytesSource(box('traf', trun))).boxes, 'traf/trun')[0], 'trun');
  assert.ok(run);
  assert.equal(run.entryCount, 3);
  assert.equal(run.dataOffset, 16);
  assert.equal(run.layout.stride, 16);
  assert.equal(run.entries.length, 48);
  assert.deepEqual(Array.from(run.durations ?? []), [10, 20, 30]);
  assert.deepEqual(Array.from(run.sizes ?? []), [100, 200, 300]);
  assert.deepEqual(Array.from(run.sampleFlags ?? []), [0x02000000, 0x01010000, 0x01010000]);
  assert.deepEqual(Array.from(run.compositionOffsets ?? []), [0, -2, 5]);

  const sizesOnly = fieldsOf(readBoxes(bytesSource(fullBox('trun', 0, 0x200, u32(2), u32(7), u32(9)))).boxes[0], 'trun');
  assert.deepEqual(Array.from(sizesOnly?.sizes ?? []), [7, 9]);
  assert.equal(sizesOnly?.durations, undefined);
  assert.equal(sizesOnly?.compositionOffsets, undefined);
});

test('readBoxes hands over every top-level box once it is read, in file order, children included', () => {
  const bytes = fixture('h264-aac-frag.mp4');
  const seen: Box[] = [];
  const tree = readBoxes(bytesSource(bytes), {}, {
    box: (b) => {
      if (b.type === 'moof') assert.ok(b.children?.some((c) => c.type === 'traf'), 'a moof comes with its children');
      seen.push(b);
    },
  });
  assert.deepEqual(seen, tree.boxes);
});

test('fragments before the moov are read with the moov\'s tracks, like the ones after it', () => {
  const bytes = fixture('h264-aac-frag.mp4');
  const top = readBoxes(bytesSource(bytes)).boxes;
  const part = (b: Box): Uint8Array => bytes.subarray(b.offset, b.offset + b.size);
  const moov = top.find((b) => b.type === 'moov');
  const firstMoof = top.findIndex((b) => b.type === 'moof');
  assert.ok(moov && firstMoof > 0);
  // ftyp, moof, mdat, moov, the other fragments
  const moved = concat(...top.slice(0, firstMoof).filter((b) => b !== moov).map(part), ...top.slice(firstMoof, firstMoof + 2).map(part), part(moov), ...top.slice(firstMoof + 2).map(part));
  const inOrder = readIsoBmff(bytesSource(bytes));
  const reordered = readIsoBmff(bytesSource(moved));
  assert.deepEqual(reordered.issues, inOrder.issues);
  assert.equal(reordered.kind, 'fragmented');
  assert.deepEqual(reordered.tracks.map((t) => [t.id, t.codec, t.sampleCount]), inOrder.tracks.map((t) => [t.id, t.codec, t.sampleCount]));
  for (const [i, track] of reordered.tracks.entries()) {
    const samples = track.samples;
    const expected = inOrder.tracks[i]?.samples;
    assert.ok(samples && expected);
    assert.deepEqual([samples.dts, samples.size, samples.flags, samples.fragment], [expected.dts, expected.size, expected.flags, expected.fragment]);
  }
  assert.equal(reordered.fragments.length, inOrder.fragments.length);
  assert.ok(reordered.fragments.every((f) => f.mdat !== undefined));
});

/** A moof for track 1 with `count` samples whose durations and sizes are the defaults, and its mdat of `dataSize` bytes. */
function defaultsFragment(sequence: number, decodeTime: number, count: number, dataSize: number): Uint8Array {
  const traf = (dataOffset: number): Uint8Array => box('traf', fullBox('tfhd', 0, 0x020000, u32(1)), fullBox('tfdt', 0, 0, u32(decodeTime)), fullBox('trun', 0, 0x001, u32(count), u32(dataOffset)));
  const moofSize = box('moof', fullBox('mfhd', 0, 0, u32(sequence)), traf(0)).length;
  return concat(box('moof', fullBox('mfhd', 0, 0, u32(sequence)), traf(moofSize + 8)), box('mdat', new Uint8Array(dataSize)));
}

/** The init segment (ftyp, moov) of an H.265 fixture with its trex defaults, and its mdhd timescale, set. */
function initWith(duration: number, size: number, timescale?: number): Uint8Array {
  const bytes = fixture('h265-main-frag.mp4');
  const init = bytes.slice(0, Buffer.from(bytes).indexOf('moof') - 4);
  const view = new DataView(init.buffer, init.byteOffset);
  const trex = Buffer.from(init).indexOf('trex');
  view.setUint32(trex + 16, duration);
  view.setUint32(trex + 20, size);
  if (timescale !== undefined) view.setUint32(Buffer.from(init).indexOf('mdhd') + 16, timescale);
  return init;
}

test('a later moov (init segments joined end to end): its trex defaults place the fragments after it; a timescale change is reported', () => {
  for (const fragmentBoxes of [true, false]) {
    const first = initWith(10, 100);
    const second = initWith(20, 50);
    const bytes = concat(first, defaultsFragment(1, 0, 2, 200), second, defaultsFragment(2, 20, 3, 150));
    const file = readIsoBmff(bytesSource(bytes), { fragmentBoxes });
    const samples = file.tracks[0]?.samples;
    assert.ok(samples);
    assert.deepEqual(Array.from(samples.duration), [10, 10, 20, 20, 20]);
    assert.deepEqual(Array.from(samples.size), [100, 100, 50, 50, 50]);
    assert.deepEqual(Array.from(samples.dts), [0, 10, 20, 40, 60]);
    assert.deepEqual(file.movies.map((m) => m.offset), [Buffer.from(first).indexOf('moov') - 4, Buffer.from(bytes).lastIndexOf('moov') - 4]);
    assert.deepEqual(file.issues.map((i) => i.code), ['MOOV_REPEATED']);
    assert.equal(file.tracks[0]?.defaults?.defaultSampleDuration, 10, 'the track keeps the first moov\'s description');
  }
  const rescaled = concat(initWith(10, 100), defaultsFragment(1, 0, 2, 200), initWith(20, 50, 90000), defaultsFragment(2, 20, 1, 50));
  const changed = readIsoBmff(bytesSource(rescaled)).issues.find((i) => i.code === 'TIMESCALE_CHANGED');
  assert.match(changed?.message ?? '', /^track 1's timescale changes from 16000 to 90000 in the moov at byte \d+: its later fragments' times are counted in 16000$/);
});
