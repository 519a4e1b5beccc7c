// Deterministic mutation fuzzing: bounded iterations and wall time; nothing may throw or hang, and
// what comes back stays self-consistent.
import assert from 'node:assert/strict';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff, type Box } from '../../../../src/formats/isobmff';
import { fixture, prng } from './helpers';

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
