// A small deterministic fuzz of the packaging input: damaged codec private data, damaged and empty
// samples, odd times and track fields, damaged cluster bytes. The writers never throw on any of it;
// they write what they can and report issues. (They throw only RangeError when an output cannot be
// allocated or on an internal sizing bug, which the size checks below would reveal.)
import assert from 'node:assert/strict';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff } from '../../../../src/formats/isobmff';
import { readMpegTs } from '../../../../src/formats/mpegts';
import { codecString, fragmentSamples, initSegment, mediaFragment, packagingTrack, tsFragment } from '../../../../src/formats/package';
import type { PackagingCodec, PackagingSample, PackagingTrack } from '../../../../src/formats/package';
import { fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { concat, load, prng, samplesOf } from './helpers';

const h264 = load('test/fixtures/media/h264-aac.mkv');
const h265 = load('test/fixtures/media/h265-main.mkv');

function damage(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = bytes.slice(0, rand() < 0.3 ? Math.floor(rand() * bytes.length) : bytes.length);
  const flips = Math.floor(rand() * 4);
  for (let k = 0; k < flips && out.length > 0; k++) {
    const at = Math.floor(rand() * out.length);
    out[at] = (out[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
  }
  return out;
}

function damageSample(s: PackagingSample, rand: () => number): PackagingSample {
  const r = rand();
  if (r < 0.1) return { ...s, data: new Uint8Array(0) };
  if (r < 0.2) return { ...s, ptsMs: NaN };
  if (r < 0.3) return { ...s, dtsMs: s.ptsMs + 500 };
  if (r < 0.4) return { ...s, ptsMs: -1e6, durationMs: -5 };
  if (r < 0.6) return { ...s, data: damage(s.data, rand) };
  return s;
}

/** Checks the outputs are well-formed containers whatever went into them. */
function checkOutputs(tracks: PackagingTrack[], samples: PackagingSample[][], label: string): void {
  for (const [i, track] of tracks.entries()) {
    codecString(track);
    const init = initSegment(track);
    const media = mediaFragment(track, samples[i] ?? [], { sequenceNumber: 1 });
    const expectedMoof = 8 + 16 + 8 + 16 + 20 + 20;
    assert.ok(media.bytes.length >= expectedMoof + 8, label);
    const file = readIsoBmff(bytesSource(concat([init.bytes, media.bytes])));
    assert.equal(file.kind, 'fragmented', label);
    assert.equal(file.tracks[0]?.sampleCount, samples[i]?.length ?? 0, label);
    assert.ok(!file.issues.some((x) => x.code.startsWith('BOX_') || x.code.includes('TRUNC')), `${label}: ${JSON.stringify(file.issues)}`);
  }
  const ts = tsFragment(tracks, samples);
  assert.equal(ts.bytes.length % 188, 0, label);
  assert.ok(!ts.issues.some((x) => x.code === 'PACKAGE_INTERNAL_SIZE'), label);
  const read = readMpegTs(bytesSource(ts.bytes));
  assert.ok(!read.issues.some((x) => x.severity === 'error'), `${label}: ${JSON.stringify(read.issues.slice(0, 3))}`);
}

export function writerFuzz(probe: FuzzProbe): string {
  const rand = prng(20240611);
  const sources: { codec: PackagingCodec; cp: Uint8Array; samples: PackagingSample[] }[] = [
    { codec: 'h264', cp: h264.tracks[0]?.codecPrivate ?? new Uint8Array(0), samples: samplesOf(h264.fragments[0] ?? { samples: new Map(), issues: [] }, h264.tracks[0] as PackagingTrack).slice(0, 12) },
    { codec: 'h265', cp: h265.tracks[0]?.codecPrivate ?? new Uint8Array(0), samples: samplesOf(h265.fragments[1] ?? { samples: new Map(), issues: [] }, h265.tracks[0] as PackagingTrack).slice(0, 12) },
    { codec: 'aac', cp: h264.tracks[1]?.codecPrivate ?? new Uint8Array(0), samples: samplesOf(h264.fragments[0] ?? { samples: new Map(), issues: [] }, h264.tracks[1] as PackagingTrack).slice(0, 12) },
  ];
  for (let round = 0; round < 120; round++) {
    probe.input(`writers round ${round}`);
    const picks = sources.filter(() => rand() < 0.7);
    const tracks: PackagingTrack[] = [];
    const samples: PackagingSample[][] = [];
    picks.forEach((src, k) => {
      const cp = rand() < 0.15 ? new Uint8Array(0) : rand() < 0.6 ? damage(src.cp, rand) : src.cp;
      const { track } = packagingTrack(k + 1, src.codec, cp, { sampleRate: 48000, channels: 2 });
      if (rand() < 0.1) track.timescale = [0, NaN, -1, 2 ** 40][Math.floor(rand() * 4)] ?? 0;
      if (rand() < 0.1) track.trackNumber = [0, -3, 2 ** 33][Math.floor(rand() * 3)] ?? 0;
      tracks.push(track);
      samples.push(src.samples.map((s) => damageSample(s, rand)));
    });
    checkOutputs(tracks, samples, `round ${round}`);
  }
  probe.done();
  return '120 rounds of damaged tracks and samples';
}

export function clusterFuzz(probe: FuzzProbe): string {
  const rand = prng(77);
  const cluster = h264.mkv.clusters[0];
  assert.ok(cluster);
  const bytes = h264.bytes.subarray(cluster.offset, cluster.end);
  for (let round = 0; round < 150; round++) {
    const damaged = damage(bytes, rand);
    for (let k = 0; k < 20; k++) {
      const at = Math.floor(rand() * damaged.length);
      damaged[at] = Math.floor(rand() * 256);
    }
    probe.input(`cluster round ${round}`, damaged);
    const { samples } = fragmentSamples(damaged, h264.tracks);
    checkOutputs(h264.tracks, h264.tracks.map((t) => samples.get(t.trackNumber) ?? []), `cluster round ${round}`);
  }
  probe.done();
  return '150 damaged clusters';
}

fuzzTest('fuzz: damaged codec private data and samples never make the writers throw', __filename, writerFuzz, undefined);
fuzzTest('fuzz: damaged cluster bytes give samples or issues, never an exception', __filename, clusterFuzz, undefined);
