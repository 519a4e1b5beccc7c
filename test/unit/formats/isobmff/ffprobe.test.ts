// The ISO BMFF reader against ffprobe, the independent judge: tracks, and every sample's size, dts,
// pts, position and keyframe flag, for plain MP4, fragmented MP4 and DASH init + media segments.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff, type IsoBmffFile, type SampleTable, type Track } from '../../../../src/formats/isobmff';
import { ascChannels, concat, ffprobe, fileSource, fixture, MEDIA, packetsOf, type Probe, type ProbeStream } from './helpers';

function checkTrack(track: Track, stream: ProbeStream): void {
  assert.equal(track.codec, stream.codec_tag_string, 'codec fourcc');
  assert.equal(`1/${track.timescale}`, stream.time_base, 'timescale');
  if (stream.codec_type === 'video') {
    assert.equal(track.kind, 'video');
    assert.equal(track.width, stream.width);
    assert.equal(track.height, stream.height);
    assert.ok(track.config && (track.config.type === 'avcC' || track.config.type === 'hvcC'));
    assert.equal(track.config.type, stream.codec_name === 'h264' ? 'avcC' : 'hvcC');
  } else {
    assert.equal(track.kind, 'audio');
    assert.equal(String(track.sampleRate), stream.sample_rate);
    assert.ok(track.channelCount !== undefined && track.channelCount > 0);
    assert.equal(track.esds?.objectTypeIndication, 0x40, 'MPEG-4 audio');
    assert.ok(track.config && track.config.type === 'esds');
    // The sample entry's channelcount is a template value in MP4 (ffmpeg writes 2); the truth is in the ASC.
    assert.equal(ascChannels(track.config.bytes), stream.channels, 'AudioSpecificConfig channelConfiguration');
  }
}

/** Every sample against ffprobe's packets of one stream; `posBase` is added to our offsets. */
function checkSamples(samples: SampleTable, shift: number, probe: Probe, streamIndex: number, posBase = (_i: number) => 0): void {
  const packets = packetsOf(probe, streamIndex);
  assert.ok(packets.length > 0);
  assert.equal(samples.count, packets.length, 'sample count');
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    assert.ok(p);
    const where = `stream ${streamIndex} sample ${i}`;
    assert.equal(samples.size[i], Number(p.size), `${where} size`);
    assert.equal((samples.dts[i] ?? NaN) + shift, p.dts, `${where} dts`);
    assert.equal((samples.dts[i] ?? NaN) + (samples.cto[i] ?? NaN) + shift, p.pts, `${where} pts`);
    assert.equal(samples.sync[i] === 1, p.flags.startsWith('K'), `${where} keyframe`);
    assert.equal((samples.offset[i] ?? NaN) + posBase(i), Number(p.pos), `${where} pos`);
  }
}

function checkFile(name: string, expectedKind: IsoBmffFile['kind']): IsoBmffFile {
  const file = readIsoBmff(bytesSource(fixture(name)));
  assert.equal(file.kind, expectedKind);
  assert.deepEqual(file.issues, []);
  const probe = ffprobe(join(MEDIA, name));
  assert.equal(file.tracks.length, probe.streams.length);
  probe.streams.forEach((stream, i) => {
    const track = file.tracks[i];
    assert.ok(track);
    assert.equal(Number(stream.id), track.id, 'track id');
    checkTrack(track, stream);
    assert.ok(track.samples);
    assert.equal(track.sampleCount, track.samples.count);
    checkSamples(track.samples, track.presentationShift, probe, i);
  });
  return file;
}

test('plain MP4: tracks and every sample match ffprobe', () => {
  const file = checkFile('h264-aac.mp4', 'plain');
  assert.deepEqual(file.brands?.majorBrand, 'isom');
  const video = file.tracks[0];
  assert.equal(video?.presentationShift, 336); // empty edit of 21 ms in the movie timescale, as 1/16000
  assert.equal(file.fragments.length, 0);
});

test('fragmented MP4 (H.264 + AAC): tracks and every sample match ffprobe', () => {
  const file = checkFile('h264-aac-frag.mp4', 'fragmented');
  const moofs = file.boxes.filter((b) => b.type === 'moof');
  assert.equal(file.fragments.length, moofs.length);
  file.fragments.forEach((f, i) => {
    assert.equal(f.offset, moofs[i]?.offset);
    assert.equal(f.sequenceNumber, i + 1);
    assert.ok(f.mdat && f.mdat.offset === f.offset + f.size);
    for (const ft of f.tracks) {
      const track = file.tracks.find((t) => t.id === ft.trackId);
      const s = track?.samples;
      assert.ok(s);
      assert.equal(s.dts[ft.firstSample], ft.baseDecodeTime);
      assert.ok(ft.hasTfdt);
      let sum = 0;
      let ept = Infinity;
      for (let k = ft.firstSample; k < ft.firstSample + ft.sampleCount; k++) {
        sum += s.duration[k] ?? 0;
        ept = Math.min(ept, (s.dts[k] ?? 0) + (s.cto[k] ?? 0));
        assert.equal(s.fragment?.[k], i);
      }
      assert.equal(ft.duration, sum);
      assert.equal(ft.earliestPresentationTime, ept);
      assert.equal(ft.firstSampleSync, s.sync[ft.firstSample] === 1);
      if (track?.kind === 'video') assert.ok(ft.firstSampleSync, 'each fragment starts with a keyframe');
      assert.ok(ft.dataOffset >= f.mdat.offset + 8 && ft.dataOffset + ft.dataSize <= f.mdat.offset + f.mdat.size);
    }
  });
});

test('fragmented MP4 (H.265 with B-frames): composition offsets match ffprobe', () => {
  const file = checkFile('h265-main-frag.mp4', 'fragmented');
  const s = file.tracks[0]?.samples;
  assert.ok(s && s.cto.some((c) => c !== 0));
});

test('DASH: init segments classify, media segments read with their init match ffprobe', (ctx) => {
  const dir = join(MEDIA, 'h264-aac-dash');
  const tmp = mkdtempSync(join(tmpdir(), 'kvi-dash-'));
  ctx.after(() => rmSync(tmp, { recursive: true, force: true }));
  for (const rep of ['0', '1']) {
    const initBytes = fixture(`h264-aac-dash/init-${rep}.mp4`);
    const init = readIsoBmff(bytesSource(initBytes));
    assert.equal(init.kind, 'init-segment');
    assert.deepEqual(init.issues, []);
    assert.equal(init.tracks.length, 1);
    const segNames = readdirSync(dir).filter((n) => n.startsWith(`seg-${rep}-`)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const segs = segNames.map((n) => fixture(`h264-aac-dash/${n}`));
    // ffprobe reads init + segments as one file.
    const joined = join(tmp, `rep-${rep}.mp4`);
    writeFileSync(joined, concat(initBytes, ...segs));
    const probe = ffprobe(joined);
    const track = init.tracks[0];
    const stream = probe.streams[0];
    assert.ok(track && stream);
    checkTrack(track, stream);

    // Gather the samples of every segment into one table, positions relative to the joined file.
    let base = initBytes.length;
    const sizes: number[] = [];
    const dts: number[] = [];
    const cto: number[] = [];
    const sync: number[] = [];
    const pos: number[] = [];
    for (const seg of segs) {
      const file = readIsoBmff(bytesSource(seg), { init });
      assert.equal(file.kind, 'media-segment');
      assert.equal(file.brands?.type, 'styp');
      assert.deepEqual(file.issues, []);
      const t = file.tracks[0];
      assert.equal(t?.timescale, track.timescale);
      const s = t?.samples;
      assert.ok(s);
      for (let i = 0; i < s.count; i++) {
        sizes.push(s.size[i] ?? 0);
        dts.push(s.dts[i] ?? 0);
        cto.push(s.cto[i] ?? 0);
        sync.push(s.sync[i] ?? 0);
        pos.push((s.offset[i] ?? 0) + base);
      }
      // sidx references the moof + mdat that follow it.
      const sidx = file.segmentIndexes[0];
      const moof = file.boxes.find((b) => b.type === 'moof');
      const mdat = file.boxes.find((b) => b.type === 'mdat');
      assert.ok(sidx && moof && mdat);
      assert.equal(sidx.references[0]?.offset, moof.offset);
      assert.equal(sidx.references[0]?.referencedSize, moof.size + mdat.size);
      assert.equal(sidx.earliestPresentationTime, file.fragments[0]?.tracks[0]?.earliestPresentationTime);
      base += seg.length;
    }
    const table: SampleTable = {
      count: sizes.length, dts: Float64Array.from(dts), cto: Int32Array.from(cto), duration: new Uint32Array(sizes.length),
      size: Uint32Array.from(sizes), offset: Float64Array.from(pos), sync: Uint8Array.from(sync),
    };
    checkSamples(table, track.presentationShift, probe, 0);
  }
});

test('a media segment without its init segment: raw units, or the timescales given', () => {
  const seg = fixture('h264-aac-dash/seg-0-2.m4s');
  const init = readIsoBmff(bytesSource(fixture('h264-aac-dash/init-0.mp4')));
  const withInit = readIsoBmff(bytesSource(seg), { init });
  const bare = readIsoBmff(bytesSource(seg));
  assert.equal(bare.kind, 'media-segment');
  assert.equal(bare.tracks.length, 1);
  assert.equal(bare.tracks[0]?.timescale, 0);
  assert.deepEqual(bare.issues.map((i) => i.code), ['TIMESCALE_UNKNOWN']);
  assert.deepEqual(bare.tracks[0]?.samples?.dts, withInit.tracks[0]?.samples?.dts);
  assert.deepEqual(bare.tracks[0]?.samples?.size, withInit.tracks[0]?.samples?.size);
  const given = readIsoBmff(bytesSource(seg), { timescales: { 1: 12800 } });
  assert.equal(given.tracks[0]?.timescale, 12800);
  assert.deepEqual(given.issues, []);
});

test('samples: false keeps fragment summaries and counts, drops the per-sample tables', () => {
  const bytes = fixture('h264-aac-frag.mp4');
  const full = readIsoBmff(bytesSource(bytes));
  const lean = readIsoBmff(bytesSource(bytes), { samples: false });
  assert.equal(lean.tracks.every((t) => t.samples === undefined), true);
  assert.deepEqual(lean.tracks.map((t) => t.sampleCount), full.tracks.map((t) => t.sampleCount));
  assert.deepEqual(lean.fragments, full.fragments);
});

test('a file-backed source with a reused buffer gives the same result, reading only metadata', () => {
  // The source has no byte window of its own and scribbles over its buffer on every read: with
  // fragmentBoxes false, the moofs are skimmed from that buffer before the next read.
  for (const name of ['h264-aac.mp4', 'h264-aac-frag.mp4', 'h265-main-frag.mp4']) {
    for (const fragmentBoxes of [true, false]) {
      const what = `${name}, fragmentBoxes ${fragmentBoxes}`;
      const src = fileSource(join(MEDIA, name));
      try {
        const fromFile = readIsoBmff(src, { fragmentBoxes });
        const fromMemory = readIsoBmff(bytesSource(fixture(name)), { fragmentBoxes });
        assert.deepEqual(fromFile.tracks.map((t) => t.samples), fromMemory.tracks.map((t) => t.samples), what);
        assert.deepEqual(fromFile.tracks.map((t) => t.config), fromMemory.tracks.map((t) => t.config), what);
        assert.deepEqual(fromFile.boxes, fromMemory.boxes, what);
        assert.deepEqual(fromFile.fragments, fromMemory.fragments, what);
        assert.deepEqual(fromFile.issues, [], what);
        // mdat payloads are never read: metadata is a few KiB of these ~60 KiB files.
        assert.ok(src.bytesRead < src.size / 5, `${what}: read ${src.bytesRead} of ${src.size} bytes`);
      } finally {
        src.close();
      }
    }
  }
});
