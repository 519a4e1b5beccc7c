// The KVS readiness rules on hand-built streams and reports, through the library entry points.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { kvsReadinessIssues, KVS_LIMITS } from '../../../src/formats/checks/kvsReadiness';
import type { ContainerInspection } from '../../../src/formats/inspect/container';
import { inspect } from '../../../src/formats/inspect/inspect';
import { frameTable, pushFrame, type FragmentReport, type TrackReport } from '../../../src/formats/inspect/report';
import { ElementId as Id } from '../../../src/formats/matroska/elementTable';
import { blockData, concat, element, stringElement, uintElement } from '../formats/ebml/ebmlBytes';

const video: TrackReport = { number: 1, kind: 'video', codecId: 'V_MPEG4/ISO/AVC', family: 'h264', frameRate: 25 };
const aac: TrackReport = { number: 2, kind: 'audio', codecId: 'A_AAC', family: 'aac', sampleRate: 48000 };

function fragment(index: number, startMs: number, durationMs: number, extra: Partial<FragmentReport> = {}): FragmentReport {
  return { index, offset: index * 1000, size: 1000, startMs, durationMs, frameCount: 25, keyframeStart: true, ...extra };
}

function codesOf(tracks: TrackReport[], fragments: FragmentReport[], nowMs = Date.UTC(2026, 10, 21)): string[] {
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks, fragments, frames: frameTable(0), issues: [] }, videoTracks: [] };
  return kvsReadinessIssues(inspection, bytesSource(new Uint8Array()), { nowMs }).map((found) => found.code);
}

test('fragment limits: over 10 s and over 50 MB are errors', () => {
  assert.deepEqual(codesOf([video], [fragment(0, 0, 10_000)]), []);
  assert.deepEqual(codesOf([video], [fragment(0, 0, 10_040)]), ['FRAGMENT_TOO_LONG']);
  assert.deepEqual(codesOf([video], [fragment(0, 0, 2000, { size: KVS_LIMITS.maxFragmentBytes + 1 })]), ['FRAGMENT_TOO_LARGE']);
});

test('gaps and overlaps above 50 ms between fragments are warnings; backwards is an error', () => {
  assert.deepEqual(codesOf([video], [fragment(0, 0, 2000), fragment(1, 2040, 2000)]), []);
  assert.deepEqual(codesOf([video], [fragment(0, 0, 2000), fragment(1, 2100, 2000)]), ['FRAGMENT_GAP']);
  assert.deepEqual(codesOf([video], [fragment(0, 0, 2000), fragment(1, 1900, 2000)]), ['FRAGMENT_OVERLAP']);
  assert.deepEqual(codesOf([video], [fragment(0, 2000, 2000), fragment(1, 0, 2000)]), ['TIMECODE_BACKWARDS']);
});

test('tracks: more than three is an error, codecs HLS/DASH cannot package and audio first are warnings', () => {
  assert.deepEqual(codesOf([video, aac], []), []);
  assert.deepEqual(codesOf([video, aac, { ...aac, number: 3 }, { ...aac, number: 4 }], []), ['TOO_MANY_TRACKS']);
  assert.deepEqual(codesOf([{ ...video, codecId: 'V_VP8', family: 'other' }], []), ['CODEC_NOT_PLAYABLE']);
  assert.deepEqual(codesOf([{ ...aac, number: 1 }, { ...video, number: 2 }], []), ['VIDEO_NOT_FIRST_TRACK']);
});

test('producer timestamps from an unset clock or the far future are warnings', () => {
  const at = (producerTimestampMs: number) => fragment(0, 0, 2000, { kvs: { producerTimestampMs } });
  assert.deepEqual(codesOf([video], [at(Date.UTC(2026, 10, 20))]), []);
  assert.deepEqual(codesOf([video], [at(12_345)]), ['PRODUCER_TIMESTAMP_IMPLAUSIBLE']);
  assert.deepEqual(codesOf([video], [at(Date.UTC(2027, 0, 1))]), ['PRODUCER_TIMESTAMP_IN_FUTURE']);
  assert.deepEqual(codesOf([video], [at(1e300)]), ['PRODUCER_TIMESTAMP_IN_FUTURE']);
});

test('B-frames are found from presentation order within a track', () => {
  const frames = frameTable(3);
  for (const ptsMs of [0, 80, 40]) pushFrame(frames, { track: 1, fragment: 0, offset: ptsMs, size: 1, ptsMs, dtsMs: ptsMs, keyframe: ptsMs === 0 });
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [video], fragments: [], frames, issues: [] }, videoTracks: [] };
  const found = kvsReadinessIssues(inspection, bytesSource(new Uint8Array()));
  assert.deepEqual(found.map((i) => [i.code, i.offset]), [['B_FRAMES', 40]]);
});

test('a cluster whose block timecodes wrap past int16 is reported', () => {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, [0x11, 0x90])));
  const cluster = element(
    Id.Cluster,
    uintElement(Id.Timestamp, 0),
    element(Id.SimpleBlock, blockData(1, 32_000, 0x80, [1, 2, 3])),
    element(Id.SimpleBlock, blockData(1, -32_000, 0x80, [1, 2, 3])),
  );
  const report = inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster))));
  assert.ok(report.issues.some((found) => found.code === 'RELATIVE_TIMECODE_OVERFLOW'));
});
