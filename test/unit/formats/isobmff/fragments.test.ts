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
  const tree = readBoxes(bytesSource(bytes), {}, (b) => {
    if (b.type === 'moof') assert.ok(b.children?.some((c) => c.type === 'traf'), 'a moof comes with its children');
    seen.push(b);
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
