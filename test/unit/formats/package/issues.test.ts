// The packaging writers' issues: each damaged input gets the code that says what is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initSegment, mediaFragment, packagingTrack, tsFragment } from '../../../../src/formats/package';
import type { PackagingSample, PackagingTrack } from '../../../../src/formats/package';
import { load, samplesOf } from './helpers';

const h264 = load('test/fixtures/media/h264-aac.mkv');

test('issues name what is wrong', () => {
  const video = h264.tracks[0] as PackagingTrack;
  const audio = h264.tracks[1] as PackagingTrack;
  const good = samplesOf(h264.fragments[0] ?? { samples: new Map(), issues: [] }, video).slice(0, 3);
  const codes = (issues: { code: string }[]): string[] => [...new Set(issues.map((i) => i.code))].sort();

  const missing = packagingTrack(1, 'h264', new Uint8Array(0));
  assert.deepEqual(codes(missing.issues), ['PACKAGE_CODEC_PRIVATE_MISSING']);
  assert.deepEqual(codes(initSegment(missing.track).issues), ['PACKAGE_CODEC_PRIVATE_MISSING', 'PACKAGE_NO_PICTURE_SIZE']);
  const damaged = packagingTrack(1, 'h265', new Uint8Array([1, 2, 3]));
  assert.deepEqual(codes(damaged.issues), ['PACKAGE_CODEC_PRIVATE_INVALID', 'PACKAGE_NAL_LENGTH_SIZE', 'PACKAGE_NO_PARAMETER_SETS']);

  const empty: PackagingSample = { ptsMs: 0, durationMs: 40, keyframe: true, data: new Uint8Array(0) };
  assert.deepEqual(codes(tsFragment([video], [[empty]]).issues), ['PACKAGE_EMPTY_SAMPLE']);
  assert.deepEqual(mediaFragment(video, [empty], { sequenceNumber: 1 }).issues, [], 'an empty MP4 sample is legal');

  const overflow: PackagingSample = { ...good[0], data: new Uint8Array([0, 0, 0, 9, 0x65, 1, 2]) } as PackagingSample;
  assert.deepEqual(codes(tsFragment([video], [[overflow]]).issues), ['PACKAGE_NAL_LENGTHS']);
  assert.deepEqual(codes(mediaFragment(video, [overflow], { sequenceNumber: 1 }).issues), ['PACKAGE_NAL_LENGTHS']);

  const annexB: PackagingSample = { ...good[0], data: new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3, 0, 0, 1, 0x65, 4]) } as PackagingSample;
  const annexTs = tsFragment([video], [[annexB]]);
  assert.deepEqual(codes(annexTs.issues), ['PACKAGE_ANNEXB_SAMPLE']);

  const backwards = good.map((s, i) => ({ ...s, ptsMs: 100 - i * 40 }));
  assert.deepEqual(codes(mediaFragment(video, backwards, { sequenceNumber: 1 }).issues), ['PACKAGE_DTS_NOT_INCREASING']);
  assert.deepEqual(codes(tsFragment([video], [backwards]).issues), ['PACKAGE_DTS_NOT_INCREASING']);

  const notKey = good.slice(1);
  assert.deepEqual(codes(mediaFragment(video, notKey, { sequenceNumber: 1 }).issues), ['PACKAGE_NO_KEYFRAME_START']);

  const negative = good.map((s) => ({ ...s, ptsMs: s.ptsMs - 10_000 }));
  assert.deepEqual(codes(mediaFragment(video, negative, { sequenceNumber: 1 }).issues), ['PACKAGE_NEGATIVE_DECODE_TIME']);

  const badScale: PackagingTrack = { ...video, timescale: 0 };
  assert.deepEqual(codes(initSegment(badScale).issues), ['PACKAGE_BAD_TIMESCALE']);

  const alaw = packagingTrack(2, 'alaw', new Uint8Array(0), { sampleRate: 8000, channels: 1 }).track;
  assert.deepEqual(codes(tsFragment([video, alaw], [good, []]).issues), ['PACKAGE_TS_UNSUPPORTED_CODEC']);

  const big: PackagingSample = { ptsMs: 0, durationMs: 21, keyframe: true, data: new Uint8Array(9000) };
  assert.deepEqual(codes(tsFragment([audio], [[big]]).issues), ['PACKAGE_AAC_FRAME_TOO_LONG']);
  const adts = new Uint8Array([0xff, 0xf1, 0x4c, 0x40, 0x01, 0x7f, 0xfc, 1, 2, 3, 4]);
  assert.deepEqual(codes(tsFragment([audio], [[{ ptsMs: 0, durationMs: 21, keyframe: true, data: adts }]]).issues), ['PACKAGE_ADTS_SAMPLE']);
});
