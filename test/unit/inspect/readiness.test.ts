// The KVS readiness rules on hand-built streams and reports, through the library entry points.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { kvsReadinessIssues, KVS_LIMITS } from '../../../src/formats/checks/kvsReadiness';
import type { ContainerInspection } from '../../../src/formats/inspect/container';
import { inspect } from '../../../src/formats/inspect/inspect';
import { FRAME_LACING_SHIFT, FrameFlag, frameTable, pushFrame, type FragmentReport, type FrameTable, type TrackReport } from '../../../src/formats/inspect/report';
import { ElementId as Id } from '../../../src/formats/matroska/elementTable';
import { blockData, concat, element, filled, floatElement, idBytes, stringElement, uintElement } from '../formats/ebml/ebmlBytes';
import { ffprobePackets, ffprobeStreams, FIXTURES, inspectJson } from './cli';

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

test('a Matroska cluster of two 26 MB blocks is a fragment over 50 MB, reported at the cluster; one of 2 × 24 MB is not', () => {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, [0x11, 0x90])));
  const mb = 1024 * 1024;
  const withBlocksOf = (bytes: number) => {
    const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), element(Id.SimpleBlock, blockData(1, 0, 0x80, filled(bytes))), element(Id.SimpleBlock, blockData(1, 1000, 0x80, filled(bytes))));
    const file = concat(ebml, element(Id.Segment, tracks, cluster));
    return { clusterAt: file.length - cluster.length, issues: inspect(bytesSource(file)).issues };
  };
  const large = withBlocksOf(26 * mb);
  assert.deepEqual(large.issues.map((found) => [found.code, found.offset]), [['FRAGMENT_TOO_LARGE', large.clusterAt]]);
  assert.match(large.issues[0]?.message ?? '', /^Fragment 0 \(byte \d+\) is 52\.0 MB; KVS allows at most 50 MB\.$/);
  assert.deepEqual(withBlocksOf(24 * mb).issues, []);
});

test('a fragment without a video frame in a stream with video is named as such', () => {
  const frames = frameTable(3);
  pushFrame(frames, { track: 1, fragment: 0, offset: 0, size: 1, ptsMs: 0, dtsMs: 0, keyframe: true });
  pushFrame(frames, { track: 2, fragment: 0, offset: 1, size: 1, ptsMs: 0, dtsMs: 0, keyframe: true });
  pushFrame(frames, { track: 2, fragment: 1, offset: 1000, size: 1, ptsMs: 2000, dtsMs: 2000, keyframe: true });
  const fragments = [fragment(0, 0, 2000), fragment(1, 2000, 2000, { keyframeStart: false })];
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [video, aac], fragments, frames, issues: [] }, videoTracks: [] };
  const found = kvsReadinessIssues(inspection, bytesSource(new Uint8Array()));
  assert.deepEqual(found.map((i) => [i.code, i.offset, i.message]), [['FRAGMENT_NOT_KEYFRAME_START', 1000, 'Fragment 1 (byte 1000) has no video frame, so it does not start with a keyframe.']]);
});

test('gaps and overlaps above 50 ms are warnings, judged on each track\'s own timeline; backwards is an error', () => {
  // Video at 25 fps and AAC at 48 kHz (1024 samples a frame), each track's frames given as [fragment, first pts, count].
  const issuesOf = (runs: [track: number, fragment: number, startMs: number, count: number][]) => {
    const frames = frameTable(0);
    for (const [track, fragmentIndex, startMs, count] of runs) {
      const step = track === 1 ? 40 : (1024 / 48000) * 1000;
      for (let k = 0; k < count; k++) pushFrame(frames, { track, fragment: fragmentIndex, offset: fragmentIndex * 1000, size: 1, ptsMs: startMs + k * step, dtsMs: startMs + k * step, keyframe: k === 0 });
    }
    const fragments = [0, 1].map((index) => {
      const times = runs.filter(([, f]) => f === index).map(([, , startMs]) => startMs);
      return fragment(index, Math.min(...times), 2000);
    });
    const inspection: ContainerInspection = { report: { format: 'mpeg-ts', size: 0, tracks: [video, aac], fragments, frames, issues: [] }, videoTracks: [] };
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).map((found) => [found.code, found.message]);
  };
  // Cut at video keyframes, the audio of fragment 1 starts 2000 - 93.3 ms in, before fragment 0's video ends:
  // both tracks run on without a break, so nothing is said (the mixed ranges overlap by 93 ms).
  const audioStep = (1024 / 48000) * 1000;
  assert.deepEqual(issuesOf([[1, 0, 0, 50], [2, 0, 0, 89], [1, 1, 2000, 50], [2, 1, 89 * audioStep, 90]]), []);
  assert.deepEqual(issuesOf([[1, 0, 0, 50], [2, 0, 0, 89], [1, 1, 2040, 50], [2, 1, 89 * audioStep, 90]]), [], '40 ms: within 50');
  assert.deepEqual(issuesOf([[1, 0, 0, 50], [2, 0, 0, 89], [1, 1, 2100, 50], [2, 1, 89 * audioStep, 90]]), [
    ['FRAGMENT_GAP', 'Fragment 1 (byte 1000): track 1 (video) starts 100 ms after its frames in the previous fragment end.'],
  ]);
  assert.deepEqual(issuesOf([[1, 0, 0, 50], [2, 0, 0, 89], [1, 1, 2000, 50], [2, 1, 89 * audioStep - 100, 90]]), [
    ['FRAGMENT_OVERLAP', 'Fragment 1 (byte 1000): track 2 (audio) starts 100 ms before its frames in the previous fragment end.'],
  ]);
  // Both tracks off: the one furthest from seamless is named, once.
  assert.deepEqual(issuesOf([[1, 0, 0, 50], [2, 0, 0, 89], [1, 1, 2080, 50], [2, 1, 89 * audioStep + 300, 90]]).map(([code, message]) => [code, message?.includes('track 2')]), [['FRAGMENT_GAP', true]]);
  // A fragment that goes back in time is that error alone.
  assert.deepEqual(issuesOf([[1, 0, 2000, 50], [2, 0, 2000, 89], [1, 1, 0, 50], [2, 1, 0, 90]]).map(([code]) => code), ['TIMECODE_BACKWARDS']);
  const backwards: ContainerInspection = { report: { format: 'mpeg-ts', size: 0, tracks: [video], fragments: [fragment(0, 200 / 9, 2000), fragment(1, 100 / 9, 2000)], frames: frameTable(0), issues: [] }, videoTracks: [] };
  assert.equal(kvsReadinessIssues(backwards, bytesSource(new Uint8Array()))[0]?.message, 'Fragment 1 (byte 1000) starts at 11.111 ms, before the previous fragment (22.222 ms).');
});

test('a fragment without audio: in MPEG-TS the audio gap is measured from the last fragment with audio, named; in Matroska it is FRAMES_MISSING_FOR_TRACK, the gap not said again', () => {
  // Video and audio of fragments 0 and 2 at 25 fps / 48 kHz; fragment 1 has video only.
  const frames = frameTable(0);
  const audioStep = (1024 / 48000) * 1000;
  for (const f of [0, 1, 2]) {
    for (let k = 0; k < 25; k++) pushFrame(frames, { track: 1, fragment: f, offset: f * 1000 + k, size: 1, ptsMs: f * 1000 + k * 40, dtsMs: f * 1000 + k * 40, keyframe: k === 0 });
    if (f === 1) continue;
    for (let k = 0; k < 47; k++) pushFrame(frames, { track: 2, fragment: f, offset: f * 1000 + 100 + k, size: 1, ptsMs: f * 1000 + k * audioStep, dtsMs: f * 1000 + k * audioStep, keyframe: true });
  }
  const fragments = [0, 1, 2].map((f) => fragment(f, f * 1000, 1000));
  const judged = (format: 'mpeg-ts' | 'matroska', declaredTracks?: (fragment: number) => readonly number[]) => {
    const inspection: ContainerInspection = { report: { format, size: 0, tracks: [video, aac], fragments, frames, issues: [] }, videoTracks: [], ...(declaredTracks ? { declaredTracks } : {}) };
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).map((found) => [found.code, found.offset, found.message]);
  };
  assert.deepEqual(judged('mpeg-ts'), [
    ['FRAGMENT_GAP', 2000, 'Fragment 2 (byte 2000): track 2 (audio) starts 997 ms after its frames end in Fragment 0 (byte 0), the last fragment with them.'],
  ]);
  assert.deepEqual(judged('matroska', () => [1, 2]), [
    ['FRAMES_MISSING_FOR_TRACK', 1000, 'Track 2 (audio) has no frame in Fragment 1 (byte 1000): KVS takes a fragment only with a frame of every track its Tracks element declares.'],
  ]);
});

test('tracks: more than three is an error, codecs HLS/DASH cannot package and audio first are warnings', () => {
  assert.deepEqual(codesOf([video, aac], []), []);
  assert.deepEqual(codesOf([{ ...aac, number: 1 }], []), [], 'audio alone as track 1');
  assert.deepEqual(codesOf([video, aac, { ...aac, number: 3 }, { ...aac, number: 4 }], []), ['TOO_MANY_TRACKS', 'TRACK_NOT_PACKAGED', 'TRACK_NOT_PACKAGED']);
  assert.deepEqual(codesOf([{ ...video, codecId: 'V_VP8', family: 'other' }], []), ['CODEC_NOT_PLAYABLE']);
});

test('G.711 audio: which KVS APIs do not package it, a note with H.264 video, a warning without', () => {
  const found = (tracks: TrackReport[]) => {
    const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks, fragments: [], frames: frameTable(0), issues: [] }, videoTracks: [] };
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).map((i) => [i.severity, i.code, i.offset, i.message]);
  };
  const alaw: TrackReport = { ...aac, codecId: 'A_MS/ACM', family: 'g711-alaw', offset: 200 };
  const mulaw: TrackReport = { ...alaw, family: 'g711-mulaw' };
  const h265: TrackReport = { ...video, codecId: 'V_MPEGH/ISO/HEVC', family: 'h265' };
  const code = 'G711_NOT_PACKAGED_EVERYWHERE';
  assert.deepEqual(found([video, alaw]), [['info', code, 200, 'Track 2 is G.711 A-law: HLS sessions take AAC audio only.']]);
  assert.deepEqual(found([video, mulaw]), [['info', code, 200, 'Track 2 is G.711 mu-law: HLS sessions take AAC audio only; GetClip takes G.711 only as A-law, with H.264 video.']]);
  assert.deepEqual(found([h265, alaw]), [
    ['warning', code, 200, 'Track 2 is G.711 A-law: HLS sessions take AAC audio only; DASH sessions take G.711 only with H.264 video; GetClip takes G.711 only as A-law, with H.264 video.'],
  ]);
  assert.deepEqual(found([video, aac]), [], 'AAC: every API');
});

test('track numbers: HLS/DASH/GetClip play the video as track 1 and audio as track 2, whatever the order of the list', () => {
  const found = (tracks: TrackReport[]) => {
    const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks, fragments: [], frames: frameTable(0), issues: [] }, videoTracks: [] };
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).map((i) => [i.code, i.offset]);
  };
  const v = { ...video, offset: 100 };
  const a = { ...aac, offset: 200 };
  assert.deepEqual(found([{ ...a, number: 1 }, { ...v, number: 2 }]), [['VIDEO_NOT_TRACK_1', 100]]);
  assert.deepEqual(found([{ ...v, number: 2 }, { ...a, number: 1 }]), [['VIDEO_NOT_TRACK_1', 100]], 'video listed first, numbered 2');
  assert.deepEqual(found([{ ...v, number: 3 }, a]), [['VIDEO_NOT_TRACK_1', 100]], 'no track 1');
  assert.deepEqual(found([v, { ...v, number: 2, offset: 300 }, { ...a, number: 3 }]), [['TRACK_NOT_PACKAGED', 300], ['TRACK_NOT_PACKAGED', 200]], 'two video tracks');
  assert.deepEqual(found([{ ...v, number: 2, offset: 300 }, v]), [['TRACK_NOT_PACKAGED', 300]], 'the second video listed first');
  assert.deepEqual(found([v, a, { ...a, number: 3, offset: 400 }]), [['TRACK_NOT_PACKAGED', 400]], 'a second audio track');
  assert.deepEqual(found([{ ...a, number: 1 }, { ...a, number: 2, offset: 500 }]), [['TRACK_NOT_PACKAGED', 500]], 'audio alone plays track 1 only');
  // MPEG-TS numbers streams by PID.
  const inspection: ContainerInspection = { report: { format: 'mpeg-ts', size: 0, tracks: [{ ...v, number: 256 }, { ...a, number: 257 }], fragments: [], frames: frameTable(0), issues: [] }, videoTracks: [] };
  assert.deepEqual(kvsReadinessIssues(inspection, bytesSource(new Uint8Array())), []);
});

test('producer timestamps from an unset clock or the far future are warnings', () => {
  const at = (producerTimestampMs: number) => fragment(0, 0, 2000, { kvs: { producerTimestampMs } });
  assert.deepEqual(codesOf([video], [at(Date.UTC(2026, 10, 20))]), []);
  assert.deepEqual(codesOf([video], [at(12_345)]), ['PRODUCER_TIMESTAMP_IMPLAUSIBLE']);
  assert.deepEqual(codesOf([video], [at(Date.UTC(2027, 0, 1))]), ['PRODUCER_TIMESTAMP_IN_FUTURE']);
  assert.deepEqual(codesOf([video], [at(1e300)]), ['PRODUCER_TIMESTAMP_IN_FUTURE']);
  // A long capture from an unset clock: one warning, at the first such fragment.
  const unset = [fragment(0, 0, 2000, { kvs: { producerTimestampMs: Date.UTC(2026, 0, 1) } }), ...[1, 2, 3].map((i) => fragment(i, i * 2000, 2000, { kvs: { producerTimestampMs: i * 2000 } }))];
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [video], fragments: unset, frames: frameTable(0), issues: [] }, videoTracks: [] };
  const found = kvsReadinessIssues(inspection, bytesSource(new Uint8Array()));
  // (The clock falling back to 1970 is also a step back in producer time, by which KVS orders fragments.)
  assert.deepEqual(found.map((i) => [i.code, i.offset, i.message]), [
    ['TIMECODE_BACKWARDS', 1000, "Fragment 1 (byte 1000) has producer timestamp 1970-01-01T00:00:02.000Z, before the previous fragment's (2026-01-01T00:00:00.000Z)."],
    ['PRODUCER_TIMESTAMP_IMPLAUSIBLE', 1000, 'Fragment 1 (byte 1000) has producer timestamp 1970-01-01T00:00:02.000Z, which looks like an unset clock (and 2 more fragments).'],
  ]);
});

test('fragments are ordered by their KVS producer timestamps when every fragment with frames has one (RELATIVE timecodes restart per PutMedia session), else by timecode', () => {
  const base = Date.UTC(2026, 10, 20);
  const sessions = [21, 1021, 21, 1021].map((start, i) => fragment(i, start, 1000, { kvs: { producerTimestampMs: base + start + (i < 2 ? 0 : 2000) } }));
  assert.deepEqual(codesOf([video], sessions), []);
  // One fragment without the tag: the cluster timecodes are all there is to go by.
  const untagged = sessions.map((f, i) => (i === 3 ? { ...f, kvs: {} } : f));
  assert.deepEqual(codesOf([video], untagged), ['TIMECODE_BACKWARDS']);
  // A fragment without frames (a GetMedia error chunk) needs no tag.
  assert.deepEqual(codesOf([video], [...sessions, fragment(4, 0, 0, { frameCount: 0, kvs: { errorId: '3000' } })]).filter((code) => code !== 'KVS_SERVICE_ERROR'), []);
});

test('without KVS tags, absolute timecodes past tomorrow are in the future; relative and present ones are not', () => {
  const startingAt = (...starts: number[]) => starts.map((start, index) => fragment(index, start, 2000));
  assert.deepEqual(codesOf([video], startingAt(0, 2000)), []);
  assert.deepEqual(codesOf([video], startingAt(Date.UTC(2026, 10, 21, 12), Date.UTC(2026, 10, 21, 12, 0, 2))), []);
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [video], fragments: startingAt(Date.UTC(2033, 4, 18), Date.UTC(2033, 4, 18, 0, 0, 2), Date.UTC(2033, 4, 18, 0, 0, 4)), frames: frameTable(0), issues: [] }, videoTracks: [] };
  const found = kvsReadinessIssues(inspection, bytesSource(new Uint8Array()), { nowMs: Date.UTC(2026, 10, 21) });
  assert.deepEqual(found.map((i) => [i.code, i.offset]), [['PRODUCER_TIMESTAMP_IN_FUTURE', 0]]);
  assert.match(found[0]?.message ?? '', /^Fragment 0 \(byte 0\) starts at timecode \d+ ms: 2033-05-18T00:00:00\.000Z as time since 1970, in the future \(and 2 more fragments\)\.$/);
});

test('without KVS tags, timecodes over a year from 0 and before 2010 are absolute times from an unset clock; a recording\'s own are not', () => {
  const startingAt = (...starts: number[]) => starts.map((start, index) => fragment(index, start, 2000));
  const day = 24 * 3600 * 1000;
  assert.deepEqual(codesOf([video], startingAt(30 * day, 30 * day + 2000)), [], 'a recording a month long');
  assert.deepEqual(codesOf([video], startingAt(Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 1, 0, 0, 2))), ['PRODUCER_TIMESTAMP_IMPLAUSIBLE']);
});

test('B-frames are found from presentation order within a track', () => {
  const frames = frameTable(3);
  for (const ptsMs of [0, 80, 40]) pushFrame(frames, { track: 1, fragment: 0, offset: ptsMs, size: 1, ptsMs, dtsMs: ptsMs, keyframe: ptsMs === 0 });
  const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [video], fragments: [], frames, issues: [] }, videoTracks: [] };
  const found = kvsReadinessIssues(inspection, bytesSource(new Uint8Array()));
  assert.deepEqual(found.map((i) => [i.code, i.offset]), [['B_FRAMES', 40]]);
});

test('frames going back in time within a fragment: beyond what the SPS lets video reorder, any step back in audio; one issue per track', () => {
  const framesOf = (track: number, ...fragments: number[][]) => {
    const frames = frameTable(0);
    fragments.forEach((times, fragment) => {
      for (const ptsMs of times) pushFrame(frames, { track, fragment, offset: frames.count * 10, size: 1, ptsMs, dtsMs: ptsMs, keyframe: false });
    });
    return frames;
  };
  const found = (track: TrackReport, frames: FrameTable) => {
    const fragments = [fragment(0, 0, 1000), fragment(1, 1000, 1000)];
    const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [track], fragments, frames, issues: [] }, videoTracks: [] };
    const orderCodes = ['B_FRAMES', 'FRAME_TIMECODE_BACKWARDS'];
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).filter((i) => orderCodes.includes(i.code)).map((i) => [i.code, i.offset, i.message]);
  };
  const steps = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k * 40);
  // Video with B-frames (reordered by 2): a B-frame, not a step back.
  const bFrames = { ...video, maxReorderFrames: 2 };
  assert.deepEqual(found(bFrames, framesOf(1, [0, 120, 40, 80, 240, 160, 200])).map(([code]) => code), ['B_FRAMES']);
  // 500 ms back after 5 frames: further than 2 frames of reordering; the frames after it go on from there.
  assert.deepEqual(found(bFrames, framesOf(1, [...steps(0, 5), ...steps(-340, 5)])), [
    ['FRAME_TIMECODE_BACKWARDS', 50, "Track 1's timecodes go back in Fragment 0 (byte 0): the frame at byte 50 is at -340 ms, before more than 2 frames decoded before it (the latest at 160 ms), and the SPS allows reordering by 2 frames."],
  ]);
  // Without the SPS's word, up to 16 frames may be reordered.
  assert.deepEqual(found(video, framesOf(1, [...steps(0, 5), ...steps(-340, 5)])).map(([code]) => code), ['B_FRAMES']);
  assert.deepEqual(found(video, framesOf(1, [...steps(0, 20), ...steps(-340, 5)])).map(([code]) => code), ['FRAME_TIMECODE_BACKWARDS']);
  // Audio: any step back, counted once per jump; each fragment is judged on its own.
  const audio = { ...aac, number: 1 };
  const twice = found(audio, framesOf(1, [0, 20, 40, 10, 30], [1000, 1020, 980]));
  assert.deepEqual(twice.map(([code, offset]) => [code, offset]), [['FRAME_TIMECODE_BACKWARDS', 30]]);
  assert.match(String(twice[0]?.[2]), /is at 10 ms, before the frame decoded before it \(at 40 ms\) \(and 1 more time\)\.$/);
  assert.deepEqual(found(audio, framesOf(1, [0, 20, 40], [30, 50])), [], 'the next fragment may start before the last ends (an overlap, judged elsewhere)');
});

test('frames at the timecode of a frame before them: timestamps in a unit 10 000 times too small put each GOP on one timecode, counted as ffprobe sees them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-repeated-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'squeezed.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-itsscale', '0.0001', '-i', `${FIXTURES}/h264-main-no-bframes.mkv`, '-map', '0:v', '-c', 'copy', file]);
  // Within a fragment: a keyframe (a cluster's first frame here) starts a new one.
  const packets = ffprobePackets(file);
  const repeats = packets.filter((p, k) => k > 0 && p.pts_time === packets[k - 1]?.pts_time && !p.flags.startsWith('K'));
  assert.ok(repeats.length > packets.length / 2, `ffprobe: ${repeats.length} of ${packets.length} frames repeat a time`);
  const report = inspectJson(file, '--frames');
  const firstRepeat = report.frames?.find((frame, k) => k > 0 && frame.ptsMs === report.frames?.[k - 1]?.ptsMs);
  assert.deepEqual(report.issues.filter((i) => i.code === 'FRAME_TIMECODE_REPEATED').map((i) => [i.offset, i.message.replace(/, in Fragment.*/, '')]), [
    [firstRepeat?.offset, `Track 1 has ${repeats.length} frames at the same timecode as a frame before (the first at byte ${firstRepeat?.offset}, at 0 ms`],
  ]);
  // The fixture itself: every frame at its own time.
  assert.deepEqual(inspectJson(`${FIXTURES}/h264-main-no-bframes.mkv`).issues.filter((i) => i.code === 'FRAME_TIMECODE_REPEATED'), []);
});

test('a repeated timecode within B-frame reordering is found; laced and invisible frames, timed by the container, are not judged', () => {
  const found = (rows: { ptsMs: number; flags?: number }[]) => {
    const frames = frameTable(0);
    rows.forEach(({ ptsMs, flags = 0 }, k) => pushFrame(frames, { track: 1, fragment: 0, offset: k * 10, size: 1, ptsMs, dtsMs: ptsMs, keyframe: k === 0, flags }));
    const inspection: ContainerInspection = { report: { format: 'matroska', size: 0, tracks: [{ ...video, maxReorderFrames: 2 }], fragments: [fragment(0, 0, 1000)], frames, issues: [] }, videoTracks: [] };
    return kvsReadinessIssues(inspection, bytesSource(new Uint8Array())).filter((i) => i.code === 'FRAME_TIMECODE_REPEATED').map((i) => i.offset);
  };
  assert.deepEqual(found([0, 120, 40, 80, 240, 160, 200].map((ptsMs) => ({ ptsMs }))), []);
  assert.deepEqual(found([0, 120, 40, 120, 240].map((ptsMs) => ({ ptsMs }))), [30]);
  const laced = 2 << FRAME_LACING_SHIFT;
  assert.deepEqual(found([{ ptsMs: 0 }, { ptsMs: 40, flags: laced }, { ptsMs: 40, flags: laced }, { ptsMs: 80, flags: FrameFlag.Invisible }, { ptsMs: 80 }]), []);
});

test('a cluster whose block timecodes wrap past int16 is reported, and the blocks after the wrap timed as continuing', () => {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, [0x11, 0x90])));
  const cluster = element(
    Id.Cluster,
    uintElement(Id.Timestamp, 0),
    element(Id.SimpleBlock, blockData(1, 32_000, 0x80, [1, 2, 3])),
    element(Id.SimpleBlock, blockData(1, -32_000, 0x80, [1, 2, 3])),
  );
  const report = inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster))));
  assert.deepEqual(report.issues.map((found) => found.code), ['RELATIVE_TIMECODE_OVERFLOW']);
  // The block after the wrap is timed as meant: 65536 ticks later than its int16 says, not 64 s back.
  assert.deepEqual([...report.frames.ptsMs], [32_000, 65_536 - 32_000]);
});

test('a wrap between sparse blocks (one every 40 s) is reported too; reordering and small steps back are not', () => {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, [0x11, 0x90])));
  const overflows = (...relative: number[]) => {
    const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), ...relative.map((tc) => element(Id.SimpleBlock, blockData(1, tc, 0x80, [1]))));
    return inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster)))).issues.filter((found) => found.code === 'RELATIVE_TIMECODE_OVERFLOW');
  };
  // 0 s, then 40 s: 40000 ticks do not fit int16 and are stored as 40000 - 65536.
  const found = overflows(0, 40_000 - 65_536);
  assert.equal(found.length, 1);
  assert.match(found[0]?.message ?? '', /wrapped from 0 to -25536 ticks/);
  assert.deepEqual(overflows(0, 40, 120, 80), []); // a B-frame-like step back
  assert.deepEqual(overflows(-80, 0, 40), []); // blocks a little before the cluster's timestamp
});

test('the int16 wrap of each cluster is judged in ticks of its own segment\'s TimestampScale', () => {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, [0x11, 0x90])));
  /** A document whose segment has ticks of `timestampScale` ns and one cluster with blocks at these relative timecodes. */
  const documentWith = (timestampScale: number, ...relative: number[]) => concat(ebml, element(
    Id.Segment,
    element(Id.Info, uintElement(Id.TimestampScale, timestampScale)),
    tracks,
    element(Id.Cluster, uintElement(Id.Timestamp, 0), ...relative.map((tc) => element(Id.SimpleBlock, blockData(1, tc, 0x80, [1])))),
  ));
  const overflows = (...documents: Uint8Array[]) =>
    inspect(bytesSource(concat(...documents))).issues.filter((found) => found.code === 'RELATIVE_TIMECODE_OVERFLOW').map((found) => found.message);
  // 150 ticks back from 0 is 15 s in ticks of 0.1 s (no reordering does that), 150 ms in ticks of 1 ms.
  const tenthSeconds = documentWith(100_000_000, 0, -150);
  const milliseconds = documentWith(1_000_000, 0, -150);
  assert.deepEqual(overflows(milliseconds, tenthSeconds), ['Block timecode relative to its cluster wrapped from 0 to -150 ticks (int16 overflow): the cluster spans more than 32767 ticks (3276.7 s). The blocks after it are timed as continuing past the wrap.']);
  assert.equal(overflows(tenthSeconds, milliseconds).length, 1);
  assert.deepEqual(overflows(milliseconds, milliseconds), []);
  // Ticks of 100 ns: int16 spans 3.2 ms, less than a frame; the hint is the TimestampScale, not the cluster length.
  const ticks100ns = concat(ebml, element(Id.Segment, element(Id.Info, uintElement(Id.TimestampScale, 100)), tracks, element(Id.Cluster, uintElement(Id.Timestamp, 0), ...[0, 30_000, -30_000].map((tc) => element(Id.SimpleBlock, blockData(1, tc, 0x80, [1]))))));
  const [fine] = inspect(bytesSource(ticks100ns)).issues.filter((found) => found.code === 'RELATIVE_TIMECODE_OVERFLOW');
  assert.match(fine?.message ?? '', /spans more than 32767 ticks \(3\.2 ms\)\. .*; blocks more than one wrap apart cannot be timed\.$/);
  assert.match(fine?.hint ?? '', /^With a TimestampScale of 100 ns a cluster can span only 3\.2 ms: use 1000000 \(1 ms ticks\)/);
  const [wrapAt1ms] = inspect(bytesSource(documentWith(1_000_000, 0, 30_000, -30_000))).issues.filter((found) => found.code === 'RELATIVE_TIMECODE_OVERFLOW');
  assert.match(wrapAt1ms?.hint ?? '', /^Start a new cluster \(fragment\) at least every 32\.7 s of timecode/);
});

/** One GetMedia-style document: EBML header, then a Segment with one AAC track and one cluster. */
function aacDocument(codecId: string, audioSpecificConfig: number[], timestampMs: number): Uint8Array {
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, codecId), element(Id.CodecPrivate, audioSpecificConfig)));
  const cluster = element(Id.Cluster, uintElement(Id.Timestamp, timestampMs), element(Id.SimpleBlock, blockData(1, 0, 0x80, [1, 2, 3])));
  return concat(ebml, element(Id.Segment, tracks, cluster));
}

const issueCodes = (bytes: Uint8Array): string[] => inspect(bytesSource(bytes)).issues.map((found) => found.code);

test('a codec KVS packages under an older Matroska codec ID (A_AAC/MPEG4/LC) is a warning', () => {
  assert.deepEqual(issueCodes(aacDocument('A_AAC', [0x11, 0x90], 0)), []);
  const found = inspect(bytesSource(aacDocument('A_AAC/MPEG4/LC', [0x11, 0x90], 0))).issues;
  assert.deepEqual(found.map((i) => i.code), ['CODEC_ID_NOT_KVS']);
  assert.match(found[0]?.message ?? '', /A_AAC\/MPEG4\/LC.*only as A_AAC/);
  assert.ok(found[0]?.hint?.includes('Write CodecID A_AAC'));
});

test('a legacy AAC codec ID (A_AAC/MPEG4/LC/SBR) has no CodecPrivate by definition: its format comes from the ID, and only the ID is reported', () => {
  const legacy = (codecId: string, rate: number, channels: number, outputRate?: number) => {
    const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
    const audio = element(Id.Audio, floatElement(Id.SamplingFrequency, rate), uintElement(Id.Channels, channels), ...(outputRate ? [floatElement(Id.OutputSamplingFrequency, outputRate)] : []));
    const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, codecId), audio));
    const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), element(Id.SimpleBlock, blockData(1, 0, 0x80, [1, 2, 3])));
    return inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster))));
  };
  // SBR: the core runs at 24 kHz, the decoder gives 48 kHz (OutputSamplingFrequency); aacTracks.test.ts
  // judges such a track by ffprobe.
  const sbr = legacy('A_AAC/MPEG4/LC/SBR', 24000, 2, 48000);
  assert.deepEqual(pick(sbr.tracks[0]), { codec: 'mp4a.40.5', codecName: 'HE-AAC (AAC LC + SBR)', sampleRate: 48000, channels: 2 });
  assert.equal(sbr.tracks[0]?.codecPrivate, undefined, 'no bytes in the file to show');
  assert.deepEqual(sbr.issues.map((found) => found.code), ['CODEC_ID_NOT_KVS']);
  assert.match(sbr.issues[0]?.hint ?? '', /Write CodecID A_AAC, .*with the AudioSpecificConfig as CodecPrivate/);
  assert.deepEqual(pick(legacy('A_AAC/MPEG2/LC', 44100, 1).tracks[0]), { codec: 'mp4a.40.2', codecName: 'AAC LC', sampleRate: 44100, channels: 1 });
  // A_AAC itself still needs its CodecPrivate.
  assert.ok(legacy('A_AAC', 48000, 2).issues.some((found) => found.code === 'CODEC_PRIVATE_MISSING'));
});

test('codec private data that changes from one GetMedia document to the next is reported where it changes', () => {
  const first = aacDocument('A_AAC', [0x11, 0x90], 0); // 48 kHz stereo
  const same = aacDocument('A_AAC', [0x11, 0x90], 1000);
  const changed = aacDocument('A_AAC', [0x12, 0x10], 2000); // 44.1 kHz stereo
  assert.ok(!issueCodes(concat(first, same)).includes('CODEC_PRIVATE_CHANGED'));
  const found = inspect(bytesSource(concat(first, same, changed))).issues.filter((i) => i.code === 'CODEC_PRIVATE_CHANGED');
  assert.equal(found.length, 1);
  const changedAt = first.length + same.length;
  assert.ok((found[0]?.offset ?? 0) > changedAt, `offset ${found[0]?.offset} is in the third document (from ${changedAt})`);
});

test('a later GetMedia document that declares a track otherwise is judged as the first is: its codec ID once, and its codec private data', () => {
  const first = aacDocument('A_AAC', [0x11, 0x90], 0);
  const legacy = aacDocument('A_AAC/MPEG4/LC', [0x11, 0x90], 1000);
  const truncated = aacDocument('A_AAC', [0x11], 2000); // the AudioSpecificConfig stops inside samplingFrequencyIndex
  const legacyAgain = aacDocument('A_AAC/MPEG4/LC', [0x11, 0x90], 3000);
  const found = inspect(bytesSource(concat(first, legacy, truncated, legacyAgain))).issues.filter((i) => i.code !== 'CODEC_PRIVATE_CHANGED');
  const at = (document: Uint8Array, id: number, before: number) => before + Buffer.from(document).indexOf(Buffer.from(idBytes(id)));
  const segmentAt = (document: Uint8Array, before: number) => at(document, Id.Segment, before);
  const trackEntryAt = (document: Uint8Array, before: number) => at(document, Id.Tracks, before) + 5; // after the Tracks id and its 1-byte size
  const codecPrivateDataAt = (document: Uint8Array, before: number) => at(document, Id.CodecPrivate, before) + 3;
  assert.deepEqual(found.map((i) => [i.code, i.offset]), [
    ['CODEC_ID_NOT_KVS', trackEntryAt(legacy, first.length)],
    ['CODEC_PRIVATE_INVALID', codecPrivateDataAt(truncated, first.length + legacy.length)],
  ]);
  assert.equal(found[0]?.message, `Track 1's CodecID (fragments 1, 3, as declared in the segment at byte ${segmentAt(legacy, first.length)}) is A_AAC/MPEG4/LC; KVS HLS/DASH/GetClip take this codec only as A_AAC.`);
});

test('a track that declares no frame duration: a fragment lasts to the end of its last frame, found from the frame steps', () => {
  // G.711 A-law, 8 kHz mono (WAVEFORMATEX), 100 ms frames, no DefaultDuration; one-second clusters.
  const wave = [6, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0, 0, 0];
  const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_MS/ACM'), element(Id.CodecPrivate, wave)));
  const cluster = (startMs: number) =>
    element(Id.Cluster, uintElement(Id.Timestamp, startMs), ...Array.from({ length: 10 }, (_, k) => element(Id.SimpleBlock, blockData(1, k * 100, 0x80, [0xd5]))));
  const report = inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster(0), cluster(1000), cluster(2000)))));
  assert.deepEqual(report.fragments.map((f) => f.durationMs), [1000, 1000, 1000]);
  assert.deepEqual(report.issues.map((found) => found.code), ['G711_NOT_PACKAGED_EVERYWHERE'], 'G.711 alone: no API packages it');
});

test('A_MS/ACM: G.711 in the WAVE_FORMAT_EXTENSIBLE form is G.711 (said once, as info); other formats are named, and only not playable', () => {
  const documentBytes = (wave: number[]) => {
    const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
    const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_MS/ACM'), element(Id.CodecPrivate, wave)));
    const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), ...Array.from({ length: 10 }, (_, k) => element(Id.SimpleBlock, blockData(1, k * 100, 0x80, [0xd5]))));
    return concat(ebml, element(Id.Segment, tracks, cluster));
  };
  const document = (wave: number[]) => inspect(bytesSource(documentBytes(wave)));
  // 0xFFFE, mono, 8000 Hz, 8000 B/s, align 1, 8 bits, cbSize 22; 8 valid bits, front centre, SubFormat {00000006-0000-0010-8000-00AA00389B71}
  const header = [0xfe, 0xff, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0, 22, 0];
  const extension = [8, 0, 4, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
  const extensibleWave = [...header, ...extension];
  const extensible = document(extensibleWave);
  const [alaw] = extensible.tracks;
  assert.deepEqual([alaw?.family, alaw?.codec, alaw?.codecName, alaw?.sampleRate, alaw?.channels], ['g711-alaw', 'alaw', 'G.711 A-law (WAVE_FORMAT_EXTENSIBLE)', 8000, 1]);
  assert.deepEqual(extensible.issues.map((found) => [found.severity, found.code]), [['info', 'WAVE_FORMAT_EXTENSIBLE'], ['warning', 'G711_NOT_PACKAGED_EVERYWHERE']]); // G.711 without video: a warning
  // The same bytes with cbSize 0: the extension is not there (ffmpeg reads a SubFormat only with cbSize 22 or
  // more), so the format is 0xFFFE itself, not G.711, for the track's family as for the checks.
  const withoutExtensionWave = [...header.slice(0, 16), 0, 0, ...extension];
  const withoutExtension = document(withoutExtensionWave);
  assert.deepEqual(pick(withoutExtension.tracks[0]), { codec: undefined, codecName: 'WAVE_FORMAT_EXTENSIBLE', sampleRate: 8000, channels: 1 });
  assert.equal(withoutExtension.tracks[0]?.family, 'other');
  assert.deepEqual(withoutExtension.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE', 'WAVEFORMATEX_TRAILING_BYTES']);
  // ffprobe reads both files so: pcm_alaw with the extension, no codec at all without.
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-wave-'));
  try {
    for (const [name, wave, codec] of [['extensible', extensibleWave, 'pcm_alaw'], ['cbsize-0', withoutExtensionWave, undefined]] as const) {
      const file = join(dir, `${name}.mkv`);
      writeFileSync(file, documentBytes(wave));
      assert.equal(ffprobeStreams(file)[0]?.codec_name, codec, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Microsoft ADPCM (wFormatTag 2), 22050 Hz mono: named from the WAVEFORMATEX, and not playable.
  const adpcm = document([2, 0, 1, 0, 0x22, 0x56, 0, 0, 0x27, 0x2b, 0, 0, 0, 1, 4, 0, 0, 0]);
  assert.deepEqual(pick(adpcm.tracks[0]), { codec: undefined, codecName: 'Microsoft ADPCM', sampleRate: 22050, channels: 1 });
  assert.deepEqual(adpcm.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE']);
});

test('HE-AAC and HE-AAC v2 (explicit SBR/PS signalling) are named as such, with the SBR output rate', () => {
  const track = (asc: number[]) => inspect(bytesSource(aacDocument('A_AAC', asc, 0))).tracks[0];
  // audioObjectType 5 (SBR), 24 kHz core, stereo, 48 kHz extension, core AAC LC
  assert.deepEqual(pick(track([0x2b, 0x11, 0x88, 0x00])), { codec: 'mp4a.40.5', codecName: 'HE-AAC (AAC LC + SBR)', sampleRate: 48000, channels: 2 });
  // audioObjectType 29 (PS), 24 kHz core, mono, 48 kHz extension, core AAC LC: decoded to stereo
  assert.deepEqual(pick(track([0xeb, 0x09, 0x88, 0x00])), { codec: 'mp4a.40.29', codecName: 'HE-AAC v2 (AAC LC + SBR + PS)', sampleRate: 48000, channels: 2 });
  assert.deepEqual(pick(track([0x11, 0x90])), { codec: 'mp4a.40.2', codecName: 'AAC LC', sampleRate: 48000, channels: 2 });
});

test('an HE-AAC frame is 2048 samples at the SBR output rate: a fragment lasts to the end of its last frame', () => {
  // One block per 2048 samples at 48 kHz (42.667 ms), 24 per one-second cluster; no DefaultDuration.
  const document = (asc: number[]) => {
    const ebml = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
    const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate, asc)));
    const cluster = (startMs: number) =>
      element(Id.Cluster, uintElement(Id.Timestamp, startMs), ...Array.from({ length: 24 }, (_, k) => element(Id.SimpleBlock, blockData(1, Math.round((k * 2048) / 48), 0x80, [1]))));
    return inspect(bytesSource(concat(ebml, element(Id.Segment, tracks, cluster(0), cluster(1024)))));
  };
  const he = document([0x2b, 0x11, 0x88, 0x00]);
  assert.equal(he.tracks[0]?.samplesPerFrame, 2048);
  // The last frame starts at round(23 × 42.667) = 981 ms and lasts 42.667 ms.
  assert.deepEqual(he.fragments.map((f) => f.durationMs?.toFixed(3)), ['1023.667', '1023.667']);
  assert.deepEqual(he.issues.filter((i) => i.code.startsWith('FRAGMENT_')), []);
  const lc = document([0x11, 0x90]);
  assert.equal(lc.tracks[0]?.samplesPerFrame, 1024);
  assert.deepEqual(lc.fragments.map((f) => f.durationMs?.toFixed(3)), ['1002.333', '1002.333']);
});

function pick(track: TrackReport | undefined): Partial<TrackReport> {
  return { codec: track?.codec, codecName: track?.codecName, sampleRate: track?.sampleRate, channels: track?.channels };
}
