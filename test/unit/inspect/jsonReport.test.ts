import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { inspect } from '../../../src/formats/inspect/inspect';
import { stringifyReport, toJsonReport, writeJsonReport } from '../../../src/formats/inspect/jsonReport';
import { frameTable, type InspectionReport } from '../../../src/formats/inspect/report';
import { FIXTURES } from './cli';

function written(report: InspectionReport, withFrames: boolean): string[] {
  const chunks: string[] = [];
  writeJsonReport(report, withFrames, (text) => chunks.push(text));
  return chunks;
}

test('the streamed document has the values of the one-piece document', () => {
  for (const name of ['h264-aac.mkv', 'h264-aac-frag.mp4', 'h264-aac.mp4', 'h264-aac.ts']) {
    const report = inspect(bytesSource(new Uint8Array(readFileSync(`${FIXTURES}/${name}`))), { nowMs: 0, frameNals: true });
    assert.ok(report.frames.nal?.some(Boolean), `${name}: frames with NAL units`);
    for (const withFrames of [true, false]) {
      const chunks = written(report, withFrames);
      const text = chunks.join('');
      assert.deepEqual(JSON.parse(text), JSON.parse(stringifyReport(toJsonReport(report, withFrames))), `${name}, frames ${withFrames}`);
      assert.ok(text.endsWith('}\n'));
      if (withFrames) assert.ok(text.includes('\n    {"track":'), 'one compact row per line');
    }
  }
});

test('frame rows go out in chunks, never as one string', () => {
  const frames = frameTable(100_000);
  for (let i = 0; i < frames.track.length; i++) {
    frames.track[i] = 1 + (i % 2);
    frames.offset[i] = i * 1000;
    frames.size[i] = 999;
    frames.ptsMs[i] = i * 40;
    frames.dtsMs[i] = i * 40;
    frames.keyframe[i] = i % 25 === 0 ? 1 : 0;
  }
  frames.count = frames.track.length;
  const report: InspectionReport = { format: 'fragmented-mp4', size: 1e8, tracks: [], fragments: [], frames, issues: [] };
  const chunks = written(report, true);
  assert.ok(chunks.length > 40 && chunks.every((chunk) => chunk.length < 400_000), `${chunks.length} chunks`);
  assert.deepEqual(JSON.parse(chunks.join('')), JSON.parse(stringifyReport(toJsonReport(report, true))));
});

test('no frames, bigints and non-finite numbers: still valid JSON with the same values', () => {
  const report: InspectionReport = {
    format: 'matroska',
    size: 10,
    tracks: [{ number: 1, kind: 'video', codecId: 'V_X', family: 'other', codecPrivate: { type: 't', offset: 0, size: 1, locations: [], fields: { big: 2n ** 64n as unknown as number } } }],
    fragments: [],
    frames: frameTable(1),
    issues: [],
  };
  assert.deepEqual(JSON.parse(written(report, true).join('')).frames, []);
  report.frames.count = 1;
  report.frames.ptsMs[0] = Number.NaN;
  const json = JSON.parse(written(report, true).join('')) as { tracks: { codecPrivate: { locations: [], fields: { big: unknown } } }[]; frames: { ptsMs: unknown }[] };
  assert.equal(json.tracks[0]?.codecPrivate.fields.big, '18446744073709551616');
  assert.equal(json.frames[0]?.ptsMs, null);
  assert.deepEqual(JSON.parse(stringifyReport(toJsonReport(report, true))), json);
});
