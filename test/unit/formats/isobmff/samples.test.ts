// The growing sample table: how far one growth goes, that growing keeps the rows, and that a long
// fragmented file's table grows toward the count its first fragments project.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff } from '../../../../src/formats/isobmff';
import { SampleTableBuilder } from '../../../../src/formats/isobmff/samples';
import { box, concat, fixture, fullBox, u32 } from './helpers';

function appendRows(b: SampleTableBuilder, n: number): void {
  b.reserve(n);
  for (let i = 0; i < n; i++) {
    b.dts[b.count] = b.count;
    b.size[b.count] = b.count + 1;
    b.count++;
  }
}

test('without a projection a full table doubles; told a final count at once, it takes exactly that', () => {
  const b = new SampleTableBuilder(256);
  appendRows(b, 256);
  b.reserve(1);
  assert.equal(b.dts.length, 512);
  b.reserve(10_000);
  assert.equal(b.dts.length, 10_256);
});

test('told how far into its source it is, a table grows toward the projected count, 2x to 4x at a time', () => {
  const b = new SampleTableBuilder(256);
  appendRows(b, 256);
  b.reserve(1, 1000, 200_000); // 256 rows from 1000 of 200000 bytes: about 57600 in all
  assert.equal(b.dts.length, 1024, 'at most 4x');
  appendRows(b, 1024 - b.count);
  b.reserve(1, 1000, 1300);
  assert.equal(b.dts.length, 2048, 'at least 2x');
  appendRows(b, 2048 - b.count);
  b.reserve(1, 1000, 2000); // 2048 rows from half the source: 4096, an eighth more, and the 1 asked for
  assert.equal(b.dts.length, 4609, 'the projection, within 4x');
  const table = b.finish();
  assert.equal(table.count, 2048);
  assert.deepEqual(Array.from(table.dts.subarray(2040)), [2040, 2041, 2042, 2043, 2044, 2045, 2046, 2047]);
  assert.deepEqual(Array.from(table.size.subarray(0, 3)), [1, 2, 3]);
});

test('a long fragmented file: the table ends near its sample count, not at the next power of two', () => {
  const init = fixture('h264-aac-dash/init-1.mp4');
  const track = readIsoBmff(bytesSource(init)).tracks[0]?.id ?? 1;
  const perFragment = 64;
  const sampleSize = 100;
  const fragments = 200;
  const sizes = Array.from({ length: perFragment }, () => u32(sampleSize));
  const parts = [init];
  for (let i = 0; i < fragments; i++) {
    // mfhd 16 + traf (8 + tfhd 20 + tfdt 20 + trun 20 + 4 per sample) + moof header 8, then the mdat header
    const dataOffset = 8 + 16 + 8 + 20 + 20 + 20 + 4 * perFragment + 8;
    const traf = box('traf', fullBox('tfhd', 0, 0x020008, u32(track), u32(512)), fullBox('tfdt', 1, 0, u32(0), u32(i * perFragment * 512)),
      fullBox('trun', 0, 0x201, u32(perFragment), u32(dataOffset), ...sizes));
    parts.push(box('moof', fullBox('mfhd', 0, 0, u32(i + 1)), traf), box('mdat', new Uint8Array(perFragment * sampleSize)));
  }
  const file = readIsoBmff(bytesSource(concat(...parts)), { fragmentBoxes: false });
  const samples = file.tracks.find((t) => t.id === track)?.samples;
  assert.deepEqual(file.issues, []);
  assert.ok(samples);
  const count = fragments * perFragment;
  assert.equal(samples.count, count);
  assert.equal(samples.offset[count - 1], (samples.offset[count - 2] ?? 0) + sampleSize);
  const capacity = samples.dts.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
  // Doubling from 256 would end at 16384; the projection (with its eighth to spare) at about 14400.
  assert.ok(capacity >= count && capacity <= count * 1.15, `capacity ${capacity} for ${count} samples`);
});
