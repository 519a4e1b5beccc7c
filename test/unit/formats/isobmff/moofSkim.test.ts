// readIsoBmff with `fragmentBoxes: false` reads moofs straight from their bytes (skimMoof): the same
// tracks, sample tables, fragments and issues as the walk that makes every child box, on real files,
// damaged copies of them, and crafted moofs that the skim must leave to the walker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff, type Box, type IsoBmffFile, type IsoBmffOptions } from '../../../../src/formats/isobmff';
import { box, concat, fixture, fullBox, prng, u32 } from './helpers';

const inputs = [
  { name: 'h264-aac-frag.mp4', bytes: fixture('h264-aac-frag.mp4') },
  { name: 'h265-main-frag.mp4', bytes: fixture('h265-main-frag.mp4') },
  { name: 'dash init + 3 segments', bytes: concat(fixture('h264-aac-dash/init-1.mp4'), fixture('h264-aac-dash/seg-1-1.m4s'), fixture('h264-aac-dash/seg-1-2.m4s'), fixture('h264-aac-dash/seg-1-3.m4s')) },
];

/** A moof as the skim leaves it: a leaf. */
const leaf = (b: Box): Box => ({ ...b, children: undefined });

/**
 * Asserts that `skimmed` (read with fragmentBoxes: false) is `full` with the children of the skimmed
 * moofs left out; returns how many moofs were skimmed.
 */
function assertSameAsFull(skimmed: IsoBmffFile, full: IsoBmffFile, what: string): number {
  assert.deepEqual(skimmed.issues, full.issues, `${what}: issues`);
  assert.deepEqual(skimmed.tracks, full.tracks, `${what}: tracks and sample tables`);
  assert.equal(skimmed.boxes.length, full.boxes.length, `${what}: top-level boxes`);
  let leaves = 0;
  skimmed.boxes.forEach((b, i) => {
    const expected = full.boxes[i];
    const skippedChildren = b.type === 'moof' && b.children === undefined && expected?.children !== undefined;
    if (skippedChildren) leaves++;
    assert.deepEqual({ ...b }, skippedChildren && expected ? leaf(expected) : { ...expected }, `${what}: box ${i}`);
  });
  const withoutBox = (f: IsoBmffFile): unknown => f.fragments.map(({ box: b, ...rest }) => ({ ...rest, moof: b.offset }));
  assert.deepEqual(withoutBox(skimmed), withoutBox(full), `${what}: fragments`);
  const { boxes: _a, tracks: _b, fragments: _c, issues: _d, ...restSkimmed } = skimmed;
  const { boxes: _e, tracks: _f, fragments: _g, issues: _h, ...restFull } = full;
  assert.deepEqual(restSkimmed, restFull, `${what}: the rest`);
  return leaves;
}

function compare(bytes: Uint8Array, what: string, options: IsoBmffOptions = {}): number {
  const full = readIsoBmff(bytesSource(bytes), options);
  const skimmed = readIsoBmff(bytesSource(bytes), { ...options, fragmentBoxes: false });
  return assertSameAsFull(skimmed, full, what);
}

test('fragmentBoxes: false gives the same file with the moofs as leaves, every moof skimmed', () => {
  for (const { name, bytes } of inputs) {
    const moofs = readIsoBmff(bytesSource(bytes)).fragments.length;
    assert.ok(moofs >= 2, `${name}: ${moofs} moofs`);
    assert.equal(compare(bytes, name), moofs, `${name}: every moof read by the skim`);
    assert.equal(compare(bytes, `${name} without samples`, { samples: false }), moofs);
  }
});

test('the walker reads the moofs when the depth limit would stop it before the truns', () => {
  const { bytes } = inputs[0] ?? { bytes: new Uint8Array(0) };
  assert.equal(compare(bytes, 'maxDepth 2', { maxDepth: 2 }), 0);
  assert.ok(compare(bytes, 'maxDepth 3', { maxDepth: 3 }) > 0);
});

/** Mutates bytes in the moofs (their headers and fields): where the skim must agree with the walker. */
function damagedMoofs(bytes: Uint8Array, moofs: readonly Box[], rnd: () => number): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (let m = 0; m < 1 + Math.floor(rnd() * 3); m++) {
    const moof = moofs[Math.floor(rnd() * moofs.length)];
    if (!moof) continue;
    const at = moof.offset + Math.floor(rnd() * Math.min(moof.size, 400));
    const kind = rnd();
    if (kind < 0.4) copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
    else if (kind < 0.8 && at + 4 <= copy.length) view.setUint32(at, [0, 1, 7, 8, 12, 16, 0xffffffff, 0x7fffffff][Math.floor(rnd() * 8)] ?? 0);
    else copy[at] = Math.floor(rnd() * 256);
  }
  return copy;
}

test('damaged moofs: the skim agrees with the walker, or leaves the moof to it', () => {
  const rnd = prng(0x5c1b);
  let fellBack = 0;
  for (const { name, bytes } of inputs) {
    const moofs = readIsoBmff(bytesSource(bytes)).boxes.filter((b) => b.type === 'moof');
    for (let run = 0; run < 150; run++) {
      const damaged = damagedMoofs(bytes, moofs, rnd);
      fellBack += moofs.length - compare(damaged, `${name} run ${run}`);
    }
  }
  assert.ok(fellBack > 50, `the walker read only ${fellBack} damaged moofs`);
});

/** An init segment (ftyp, moov), then one crafted moof and an mdat. */
const init = fixture('h264-aac-dash/init-1.mp4');
function withMoof(...moofChildren: Uint8Array[]): { full: IsoBmffFile; skimmed: IsoBmffFile } {
  return read(concat(init, box('moof', ...moofChildren), box('mdat', new Uint8Array(30))));
}

function read(bytes: Uint8Array): { full: IsoBmffFile; skimmed: IsoBmffFile } {
  return { full: readIsoBmff(bytesSource(bytes)), skimmed: readIsoBmff(bytesSource(bytes), { fragmentBoxes: false }) };
}

const TRACK = readIsoBmff(bytesSource(init)).tracks[0]?.id ?? 1;
const TFHD = fullBox('tfhd', 0, 0x020000, u32(TRACK)); // default-base-is-moof
const mfhd = fullBox('mfhd', 0, 0, u32(1));
const tfdt = fullBox('tfdt', 1, 0, u32(0), u32(9000));
const trun = fullBox('trun', 0, 0x201, u32(2), u32(8 + 16), u32(10), u32(20)); // data offset, sizes

test('crafted moofs: the usual ones are skimmed, the others left to the walker, with the same result', () => {
  const cases: { what: string; children: Uint8Array[]; skimmed: boolean }[] = [
    { what: 'mfhd, traf(tfhd, tfdt, trun)', children: [mfhd, box('traf', TFHD, tfdt, trun)], skimmed: true },
    { what: 'a box the walker does not decode (sdtp) in the traf', children: [mfhd, box('traf', TFHD, tfdt, box('sdtp', new Uint8Array(2)), trun)], skimmed: true },
    { what: 'no mfhd', children: [box('traf', TFHD, tfdt, trun)], skimmed: true },
    { what: 'two truns', children: [mfhd, box('traf', TFHD, tfdt, trun, fullBox('trun', 0, 0x200, u32(1), u32(5)))], skimmed: true },
    {
      what: 'tfhd with every optional field, tfdt version 0, trun with first-sample flags and every per-sample field',
      children: [mfhd, box('traf',
        fullBox('tfhd', 0, 0x3b, u32(TRACK), u32(0), u32(init.length + 40), u32(1), u32(512), u32(5), u32(0x10000)),
        fullBox('tfdt', 0, 0, u32(7000)),
        fullBox('trun', 1, 0xf05, u32(2), u32(8), u32(0x2000000), u32(500), u32(10), u32(0x10000), u32(0xffffff00), u32(520), u32(20), u32(0), u32(300)))],
      skimmed: true,
    },
    { what: 'a trun with no per-sample fields (the defaults)', children: [mfhd, box('traf', fullBox('tfhd', 0, 0x020018, u32(TRACK), u32(512), u32(6)), tfdt, fullBox('trun', 0, 0, u32(4)))], skimmed: true },
    { what: 'a tfhd cut short', children: [mfhd, box('traf', fullBox('tfhd', 0, 0x020008, u32(TRACK)), tfdt, trun)], skimmed: false },
    { what: 'a tfdt cut short', children: [mfhd, box('traf', TFHD, fullBox('tfdt', 1, 0, u32(0)), trun)], skimmed: false },
    { what: 'an mfhd cut short', children: [fullBox('mfhd', 0, 0), box('traf', TFHD, tfdt, trun)], skimmed: false },
    { what: 'a trun whose first-sample flags are cut off', children: [mfhd, box('traf', TFHD, tfdt, fullBox('trun', 0, 0x005, u32(1), u32(24)))], skimmed: false },
    { what: 'two tfhds', children: [mfhd, box('traf', TFHD, TFHD, tfdt, trun)], skimmed: false },
    { what: 'a trun cut short', children: [mfhd, box('traf', TFHD, tfdt, fullBox('trun', 0, 0x201, u32(3), u32(24), u32(10)))], skimmed: false },
    { what: 'a registered box out of place (trun in the moof)', children: [mfhd, trun, box('traf', TFHD, tfdt, trun)], skimmed: false },
    { what: 'padding after the last box of the traf', children: [mfhd, box('traf', TFHD, tfdt, trun, new Uint8Array(3))], skimmed: false },
    { what: 'a uuid box', children: [mfhd, box('uuid', new Uint8Array(16)), box('traf', TFHD, tfdt, trun)], skimmed: false },
  ];
  for (const { what, children, skimmed } of cases) {
    const made = withMoof(...children);
    const leaves = assertSameAsFull(made.skimmed, made.full, what);
    assert.equal(leaves, skimmed ? 1 : 0, `${what}: ${skimmed ? 'skimmed' : 'left to the walker'}`);
    assert.equal(made.skimmed.fragments.length, 1, what);
    assert.ok((made.skimmed.tracks[0]?.sampleCount ?? 0) > 0 || !skimmed, `${what}: samples`);
  }
});

test('boxes cut short at the very end of the file: the skim reads no byte past them', () => {
  // An empty tfdt, tfhd, trun or mfhd closing a moof that ends the file (no mdat after it).
  for (const last of [box('tfdt'), box('tfhd'), box('trun'), fullBox('tfdt', 1, 0, u32(0))]) {
    const made = read(concat(init, box('moof', mfhd, box('traf', TFHD, trun, last))));
    assertSameAsFull(made.skimmed, made.full, 'cut short at the end');
  }
  const made = read(concat(init, box('moof', box('traf', TFHD, tfdt, trun), box('mfhd'))));
  assertSameAsFull(made.skimmed, made.full, 'mfhd cut short at the end');
});
