// readMatroska against MKVToolNix's mkvinfo, an independent reader, on every MKV fixture and on
// mkvmerge remuxes that use BlockGroups/ReferenceBlock and Xiph/EBML lacing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readBlockFrames } from '../../../../src/formats/matroska/blockFrames';
import { BlockFlag, Lacing } from '../../../../src/formats/matroska/blockTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import type { DumpBlock, DumpCluster, DumpTrack } from './mkvinfoDump';
import { hasMkvinfo, hasMkvmerge, mkvinfo } from './mkvinfoDump';

const mediaDir = join(import.meta.dirname, '../../../fixtures/media');
const fixtures = readdirSync(mediaDir).filter((name) => name.endsWith('.mkv')).sort();

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function compareWithMkvinfo(file: string): { blocks: number; laced: number; grouped: number } {
  const bytes = new Uint8Array(readFileSync(file));
  const source = bytesSource(bytes);
  const mkv = readMatroska(source);
  const dump = mkvinfo(file);

  assert.deepEqual(mkv.issues.filter((i) => i.severity !== 'info'), [], 'no warnings or errors');
  assert.equal(mkv.documents.length, 1);
  const segment = mkv.documents[0]?.segments[0];
  assert.ok(segment);
  const scale = segment.info.timestampScale;
  assert.equal(scale, dump.timestampScale ?? 1_000_000);

  const tracks: DumpTrack[] = segment.tracks.map((t) =>
    withoutUndefined({
      number: t.number,
      codecId: t.codecId,
      type: t.kind === 'other' ? undefined : t.kind,
      defaultDurationNs: t.defaultDurationNs,
      pixelWidth: t.video?.pixelWidth,
      pixelHeight: t.video?.pixelHeight,
      samplingFrequency: t.audio?.samplingFrequency,
      channels: t.audio?.channels,
      bitDepth: t.audio?.bitDepth,
      codecPrivateOffset: t.codecPrivate?.offset,
      codecPrivateSize: t.codecPrivate?.size,
    }),
  );
  // mkvinfo prints only what is written; Channels (1) and SamplingFrequency (8000) have defaults.
  const audioDefaults = (t: DumpTrack): DumpTrack => (t.type === 'audio' ? { channels: 1, samplingFrequency: 8000, ...t } : t);
  assert.deepEqual(tracks, dump.tracks.map(withoutUndefined).map(audioDefaults));
  for (const t of segment.tracks) {
    assert.equal(t.codecPrivate?.bytes?.length, t.codecPrivate?.size);
    assert.deepEqual(t.codecPrivate?.bytes, bytes.subarray(t.codecPrivate?.offset, (t.codecPrivate?.offset ?? 0) + (t.codecPrivate?.size ?? 0)));
  }

  const clusters: DumpCluster[] = mkv.clusters.map((c) => ({ offset: c.offset, size: c.end - c.offset, timestampNs: (c.timecode ?? 0) * scale }));
  assert.deepEqual(clusters, dump.clusters);
  assert.equal(mkv.fragments.length, mkv.clusters.length);
  assert.deepEqual(
    mkv.fragments.map((f) => [f.clusterIndex, f.timeMs, f.blockCount]),
    mkv.clusters.map((c) => [c.index, (c.timecode ?? 0) * (scale / 1e6), c.blockCount]),
  );

  const table = mkv.blocks;
  const blocks: DumpBlock[] = [];
  let laced = 0;
  let grouped = 0;
  for (let i = 0; i < table.count; i++) {
    const flags = table.flags[i] ?? 0;
    if (table.lacing[i] !== Lacing.None) laced++;
    if (flags & BlockFlag.InBlockGroup) grouped++;
    const frames = readBlockFrames(source, table, i);
    assert.equal(frames.length, table.frameCount[i]);
    assert.equal(frames[0]?.offset, table.payloadOffset[i]);
    assert.equal(frames.reduce((n, f) => n + f.size, 0), table.payloadSize[i]);
    blocks.push({
      offset: table.offset[i] ?? -1,
      track: table.track[i] ?? -1,
      timestampNs: (table.timecode[i] ?? 0) * scale,
      key: (flags & BlockFlag.Key) !== 0,
      inGroup: (flags & BlockFlag.InBlockGroup) !== 0,
      frames,
    });
    assert.equal(table.timeMs[i], (table.timecode[i] ?? 0) * (scale / 1e6));
  }
  assert.equal(blocks.length, dump.blocks.length);
  for (let i = 0; i < blocks.length; i++) assert.deepEqual(blocks[i], dump.blocks[i], `block ${i}`);
  assert.equal(mkv.clusters.reduce((n, c) => n + c.blockCount, 0), table.count);

  // Without block headers: same clusters and fragments, empty table.
  const light = readMatroska(source, { blocks: false });
  assert.equal(light.blocks.count, 0);
  assert.deepEqual(
    light.clusters.map((c) => [c.offset, c.end, c.timecode, c.blockCount]),
    mkv.clusters.map((c) => [c.offset, c.end, c.timecode, c.blockCount]),
  );
  assert.deepEqual(light.documents[0]?.segments[0]?.tracks, segment.tracks);
  return { blocks: table.count, laced, grouped };
}

for (const name of fixtures) {
  test(`${name}: tracks, clusters and blocks match mkvinfo -a`, { skip: !hasMkvinfo && 'mkvinfo is not installed' }, () => {
    const { blocks } = compareWithMkvinfo(join(mediaDir, name));
    assert.ok(blocks > 0);
  });
}

test('h264-aac.mkv in detail', () => {
  const mkv = readMatroska(bytesSource(new Uint8Array(readFileSync(join(mediaDir, 'h264-aac.mkv')))));
  const segment = mkv.documents[0]?.segments[0];
  assert.equal(segment?.info.muxingApp?.startsWith('Lavf'), true);
  assert.equal(segment?.info.durationMs, 2021);
  const [video, audio] = segment?.tracks ?? [];
  assert.equal(video?.kind, 'video');
  assert.equal(video?.codecPrivate?.bytes?.[0], 1, 'avcC starts with configurationVersion 1');
  assert.equal(audio?.kind, 'audio');
  assert.equal(audio?.uid, '17803393762796546863', 'UIDs above 2^53 are exact');
  assert.deepEqual(
    mkv.clusters.map((c) => [c.timecode, c.blockCount]),
    [
      [0, 72],
      [1002, 73],
    ],
  );
});

const variantsDir = mkdtempSync(join(tmpdir(), 'kvi-mkvmerge-'));
after(() => rmSync(variantsDir, { recursive: true, force: true }));

for (const hack of ['no_simpleblocks', 'lacing_xiph', 'lacing_ebml']) {
  test(`mkvmerge --engage ${hack}: matches mkvinfo -a`, { skip: !(hasMkvinfo && hasMkvmerge) && 'mkvmerge/mkvinfo are not installed' }, () => {
    const out = join(variantsDir, `${hack}.mkv`);
    execFileSync('mkvmerge', ['-q', '-o', out, '--engage', hack, '--engage', 'no_variable_data', join(mediaDir, 'h264-aac.mkv')]);
    const { laced, grouped } = compareWithMkvinfo(out);
    assert.ok(laced > 0, 'the remux has laced audio blocks');
    if (hack === 'no_simpleblocks') assert.ok(grouped > 0, 'the remux has BlockGroups');
  });
}
