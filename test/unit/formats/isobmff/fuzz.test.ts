// Deterministic mutation fuzzing: bounded iterations and wall time; nothing may throw or hang, and
// what comes back stays self-consistent.
import assert from 'node:assert/strict';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff, type Box } from '../../../../src/formats/isobmff';
import { box, concat, fixture, fullBox, plainMovie, prng, repeatedFaultFragments, u32 } from './helpers';

const SPECIAL = [0, 1, 2, 7, 8, 9, 16, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x10000, 0x100];

function boxOffsets(boxes: readonly Box[], out: number[] = []): number[] {
  for (const b of boxes) {
    out.push(b.offset);
    if (b.children) boxOffsets(b.children, out);
  }
  return out;
}

function mutate(src: Uint8Array, offsets: readonly number[], rnd: () => number): Uint8Array {
  const bytes = src.slice();
  const view = new DataView(bytes.buffer);
  const mutations = 1 + Math.floor(rnd() * 4);
  let length = bytes.length;
  for (let m = 0; m < mutations; m++) {
    // Aim at box headers and fields half the time: mdat payload bytes matter little.
    const near = offsets[Math.floor(rnd() * offsets.length)] ?? 0;
    const at = rnd() < 0.5 ? Math.min(bytes.length - 1, near + Math.floor(rnd() * 24)) : Math.floor(rnd() * bytes.length);
    const kind = rnd();
    if (kind < 0.35) {
      bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
    } else if (kind < 0.75) {
      if (at + 4 <= bytes.length) view.setUint32(at, SPECIAL[Math.floor(rnd() * SPECIAL.length)] ?? 0);
    } else if (kind < 0.9) {
      bytes[at] = Math.floor(rnd() * 256);
    } else {
      length = Math.min(length, Math.floor(rnd() * bytes.length));
    }
  }
  return bytes.subarray(0, length);
}

export function isoBmffFuzz(probe: FuzzProbe): string {
  const inputs = ['h264-aac.mp4', 'h264-aac-frag.mp4', 'h265-main-frag.mp4', 'h264-aac-dash/init-1.mp4', 'h264-aac-dash/seg-1-1.m4s'].map((name) => {
    const bytes = fixture(name);
    return { name, bytes, offsets: boxOffsets(readIsoBmff(bytesSource(bytes)).boxes) };
  });
  const rnd = prng(0x150bf);
  const started = Date.now();
  const more = fuzzRunsLeft(200, 4000, 2500);
  let runs = 0;
  while (more(runs)) {
    const input = inputs[runs % inputs.length];
    assert.ok(input);
    const bytes = mutate(input.bytes, input.offsets, rnd);
    probe.input(`${input.name} run ${runs}`, bytes);
    const file = readIsoBmff(bytesSource(bytes), { samples: runs % 3 !== 0, fragmentBoxes: runs % 2 === 0 });
    for (const i of file.issues) assert.ok(i.offset >= 0 && i.offset <= bytes.length, `issue offset ${i.offset} in ${bytes.length} bytes`);
    for (const t of file.tracks) {
      const s = t.samples;
      if (!s) continue;
      assert.equal(s.count, t.sampleCount);
      assert.ok(s.dts.length === s.count && s.size.length === s.count && s.offset.length === s.count && s.sync.length === s.count);
    }
    runs++;
  }
  probe.done();
  return `iso fuzz: ${runs} runs in ${Date.now() - started} ms`;
}

fuzzTest('mutation fuzz: ISO BMFF reader never throws, never hangs, stays consistent', __filename, isoBmffFuzz, undefined);

/**
 * A plain MP4 of 100 000 one-byte samples in 100 000 mdats, every other sample pointing at its mdat's
 * header instead of its payload: each sample's mdat is found by halving (trying every mdat for every
 * sample took 38 s here).
 */
export function manyMdats(probe: FuzzProbe): string {
  const count = 100_000;
  const mdatBytes = 9;
  const stbl = (firstMdatAt: number): Uint8Array[] => {
    const offsets = new Uint8Array(4 * count);
    const view = new DataView(offsets.buffer);
    for (let k = 0; k < count; k++) view.setUint32(4 * k, firstMdatAt + k * mdatBytes + (k % 2 === 0 ? 8 : 0));
    return [
      fullBox('stts', 0, 0, u32(1), u32(count), u32(10)),
      fullBox('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
      fullBox('stsz', 0, 0, u32(1), u32(count)),
      fullBox('stco', 0, 0, u32(count), offsets),
    ];
  };
  const moovEnd = plainMovie(stbl(0)).length;
  const mdats = new Uint8Array(count * mdatBytes);
  for (let k = 0; k < count; k++) mdats.set(box('mdat', new Uint8Array([k & 255])), k * mdatBytes);
  const bytes = concat(plainMovie(stbl(moovEnd)), mdats);
  probe.input('100 000 mdats', bytes);
  const file = readIsoBmff(bytesSource(bytes));
  probe.done();
  assert.equal(file.tracks[0]?.samples?.count, count);
  assert.deepEqual(file.issues.map((i) => [i.code, i.message, i.offset]), [
    ['SAMPLE_DATA_OUTSIDE_MDAT', `track 5: ${count / 2} of ${count} samples (the first is number 2, at byte ${moovEnd + mdatBytes}) are not inside any mdat: its chunk offsets point elsewhere`, moovEnd + mdatBytes],
  ]);
  return `${count} samples in ${count} mdats`;
}

/**
 * A fragmented MP4 of 250 000 fragments whose truns all place their sample at their moof instead of in
 * their mdat: each one's report names the mdat after it, found by halving (trying the mdats in turn took
 * 25 s here).
 */
export function manyFragmentsOutside(probe: FuzzProbe): string {
  const count = 250_000;
  const { bytes, initLength, fragmentLength } = repeatedFaultFragments(count);
  probe.input('250 000 fragments', bytes);
  const file = readIsoBmff(bytesSource(bytes));
  probe.done();
  const outside = file.issues.filter((i) => i.code === 'SAMPLE_DATA_OUTSIDE_MDAT');
  assert.equal(outside.length, 100, 'the issues of a code are capped at 100');
  const moofSize = fragmentLength - 9; // its mdat holds one byte
  const second = initLength + fragmentLength;
  assert.deepEqual([outside[1]?.message], [`trun samples at ${second} are not inside any mdat; the next mdat's data starts ${moofSize + 8} bytes later, at ${second + moofSize + 8}`]);
  return `${count} fragments`;
}

fuzzTest('a plain MP4 with 100 000 mdats and samples outside them is read in time', __filename, manyMdats, undefined);
fuzzTest('a fragmented MP4 of 250 000 fragments whose samples all miss their mdat is read in time', __filename, manyFragmentsOutside, undefined);
