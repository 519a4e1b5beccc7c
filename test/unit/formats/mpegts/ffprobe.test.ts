// The MPEG-TS reader against ffprobe: programs and streams, every PES's PTS/DTS/position/size/keyframe
// against ffprobe's packets, and the gathered bytes of every video access unit against -show_data.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { analyzeFrameNals, annexBRandomAccess } from '../../../../src/formats/codecs';
import { gatherPes, gatherSpan, pesByteOffset, pesSpan, PES_RANDOM_ACCESS, readMpegTs, SpanCursor, spanByteOffset, type MpegTsFile } from '../../../../src/formats/mpegts';
import { ffprobe, fileSource, fixture, MEDIA, packetsOf } from '../isobmff/helpers';

function pesOf(ts: MpegTsFile, pid: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ts.pes.count; i++) if (ts.pes.pid[i] === pid) out.push(i);
  return out;
}

/** Packets per PID counted the simple way, as a cross-check. */
function naivePidCounts(bytes: Uint8Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (let p = 0; p + 188 <= bytes.length; p += 188) {
    const pid = (((bytes[p + 1] ?? 0) & 0x1f) << 8) | (bytes[p + 2] ?? 0);
    counts.set(pid, (counts.get(pid) ?? 0) + 1);
  }
  return counts;
}

/** The bytes of each packet of a stream from `ffprobe -show_data`. */
function probeData(path: string, streamIndex: number): Uint8Array[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', String(streamIndex), '-show_packets', '-show_data', '-of', 'json', path], { maxBuffer: 64 * 1024 * 1024 });
  const packets = (JSON.parse(out.toString('utf8')) as { packets: { data: string }[] }).packets;
  return packets.map((p) => {
    const hex = p.data.split('\n').map((line) => line.slice(10, 50).replace(/\s/g, '')).join('');
    return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  });
}

test('H.264 + AAC TS: programs, streams, PID counts; every video PES matches ffprobe, bytes included', () => {
  const name = 'h264-aac.ts';
  const bytes = fixture(name);
  const src = bytesSource(bytes);
  const ts = readMpegTs(src);
  assert.deepEqual(ts.issues, []);
  assert.equal(ts.packetSize, 188);
  assert.equal(ts.packetCount, bytes.length / 188);
  assert.equal(ts.programs.length, 1);
  const program = ts.programs[0];
  assert.ok(program);
  assert.deepEqual(program.streams, ts.streams.map((s) => s.pid));
  assert.equal(program.pcrPid, ts.streams[0]?.pid);
  const probe = ffprobe(join(MEDIA, name));
  assert.deepEqual(ts.streams.map((s) => s.codec), probe.streams.map((s) => s.codec_name));
  assert.deepEqual(ts.streams.map((s) => s.streamType), [0x1b, 0x0f]);
  assert.deepEqual(new Map(ts.pids.map((p) => [p.pid, p.packets])), naivePidCounts(bytes));
  assert.ok(ts.pcr.count > 0 && ts.pcr.pid.every((p) => p === program.pcrPid));
  for (let i = 1; i < ts.pcr.count; i++) assert.ok((ts.pcr.value[i] ?? 0) > (ts.pcr.value[i - 1] ?? 0));

  const [video, audio] = ts.streams;
  assert.ok(video && audio);
  const vPes = pesOf(ts, video.pid);
  const vPackets = packetsOf(probe, 0);
  assert.equal(vPes.length, vPackets.length);
  const data = probeData(join(MEDIA, name), 0);
  vPes.forEach((i, k) => {
    const p = vPackets[k];
    assert.ok(p);
    assert.equal(ts.pes.pts[i], p.pts, `video PES ${k} pts`);
    assert.equal(ts.pes.dts[i], p.dts, `video PES ${k} dts`);
    assert.equal(ts.pes.offset[i], Number(p.pos), `video PES ${k} pos`);
    assert.equal(ts.pes.size[i], Number(p.size), `video PES ${k} size`);
    assert.equal(((ts.pes.flags[i] ?? 0) & PES_RANDOM_ACCESS) !== 0, p.flags.startsWith('K'), `video PES ${k} random access`);
    assert.deepEqual(gatherPes(src, ts, i), data[k], `video PES ${k} bytes`);
  });

  // Audio: ffprobe splits each PES into its ADTS frames; the first frame carries the PES position.
  const aPes = pesOf(ts, audio.pid);
  const aPackets = packetsOf(probe, 1);
  const groups: { pts: number; pos: number; size: number }[] = [];
  for (const p of aPackets) {
    if (p.pos !== undefined) groups.push({ pts: p.pts ?? NaN, pos: Number(p.pos), size: 0 });
    const g = groups[groups.length - 1];
    assert.ok(g);
    g.size += Number(p.size);
  }
  assert.equal(aPes.length, groups.length);
  aPes.forEach((i, k) => {
    assert.equal(ts.pes.pts[i], groups[k]?.pts, `audio PES ${k} pts`);
    assert.equal(ts.pes.offset[i], groups[k]?.pos, `audio PES ${k} pos`);
    assert.equal(ts.pes.size[i], groups[k]?.size, `audio PES ${k} size`);
  });
});

test('H.265 TS: every PES matches ffprobe (sizes up to the HEVC parser moving one start-code byte)', () => {
  const name = 'h265-main.ts';
  const ts = readMpegTs(bytesSource(fixture(name)));
  assert.deepEqual(ts.issues, []);
  const probe = ffprobe(join(MEDIA, name));
  assert.equal(ts.streams.length, 1);
  assert.equal(ts.streams[0]?.codec, 'hevc');
  assert.equal(ts.streams[0]?.streamType, 0x24);
  const pes = pesOf(ts, ts.streams[0]?.pid ?? -1);
  const packets = packetsOf(probe, 0);
  assert.equal(pes.length, packets.length);
  let drift = 0;
  pes.forEach((i, k) => {
    const p = packets[k];
    assert.ok(p);
    assert.equal(ts.pes.pts[i], p.pts, `PES ${k} pts`);
    assert.equal(ts.pes.dts[i], p.dts, `PES ${k} dts`);
    assert.equal(ts.pes.offset[i], Number(p.pos), `PES ${k} pos`);
    assert.equal(((ts.pes.flags[i] ?? 0) & PES_RANDOM_ACCESS) !== 0, p.flags.startsWith('K'), `PES ${k} random access`);
    // ffprobe's HEVC parser gives the first zero of the next AU's 00 00 00 01 to the previous packet.
    drift += Number(p.size) - (ts.pes.size[i] ?? 0);
    assert.ok(drift === 0 || drift === 1, `PES ${k} size drift ${drift}`);
  });
  assert.equal(drift, 0);
  assert.ok(pes.some((i) => ts.pes.pts[i] !== ts.pes.dts[i]), 'B-frames: PTS and DTS differ');
});

test('keyframes without random_access_indicator: the first 4 KiB of each video PES tell them as ffprobe does', () => {
  for (const [name, codec] of [['h264-aac.ts', 'h264'], ['h265-main.ts', 'h265']] as const) {
    const src = bytesSource(fixture(name));
    const ts = readMpegTs(src);
    const video = ts.streams[0];
    assert.ok(video?.kind === 'video');
    const keys = packetsOf(ffprobe(join(MEDIA, name)), 0).map((p) => p.flags.startsWith('K'));
    const pes = pesOf(ts, video.pid);
    assert.equal(pes.length, keys.length);
    assert.ok(keys.filter(Boolean).length >= 2 && keys.includes(false), `${name}: keyframes and others`);
    pes.forEach((i, k) => {
      const whole = gatherPes(src, ts, i);
      const start = gatherPes(src, ts, i, 4096);
      assert.deepEqual(start, whole.subarray(0, 4096), `${name} PES ${k}: the first 4 KiB gathered`);
      assert.equal(annexBRandomAccess(start, codec), keys[k], `${name} PES ${k} from its start`);
      assert.equal(analyzeFrameNals(whole, { codec, expected: 'annex-b' }).keyframe, keys[k], `${name} PES ${k} whole`);
    });
  }
});

test('a clock that wraps past 2^33 mid-file: DTS and PCR go on increasing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvi-ts-wrap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wrap.ts');
  execFileSync('ffmpeg', ['-v', 'error', '-i', join(MEDIA, 'h264-aac.ts'), '-c', 'copy', '-output_ts_offset', '95442', '-f', 'mpegts', file]);
  const ts = readMpegTs(bytesSource(readFileSync(file)));
  assert.deepEqual(ts.issues.map((i) => i.code), ['TS_TIMESTAMP_WRAP']);
  const video = pesOf(ts, ts.streams[0]?.pid ?? -1);
  assert.ok(video.some((i) => (ts.pes.dts[i] ?? 0) < 2 ** 33) && video.some((i) => (ts.pes.dts[i] ?? 0) > 2 ** 33), 'crosses the wrap');
  for (let k = 1; k < video.length; k++) assert.ok((ts.pes.dts[video[k] ?? 0] ?? 0) > (ts.pes.dts[video[k - 1] ?? 0] ?? 0), `video DTS ${k}`);
  assert.ok(ts.pcr.count > 2 && (ts.pcr.value.at(-1) ?? 0) > 2 ** 33 * 300);
  for (let i = 1; i < ts.pcr.count; i++) assert.ok((ts.pcr.value[i] ?? 0) > (ts.pcr.value[i - 1] ?? 0), `PCR ${i}`);
});

test('a file-backed source with a reused buffer gives the same tables', () => {
  for (const name of ['h264-aac.ts', 'h265-main.ts']) {
    const src = fileSource(join(MEDIA, name));
    try {
      const a = readMpegTs(src);
      const b = readMpegTs(bytesSource(fixture(name)));
      assert.deepEqual(a.pes, b.pes);
      assert.deepEqual(a.streams, b.streams);
      assert.deepEqual(a.pcr, b.pcr);
      assert.deepEqual(a.issues, b.issues);
      for (let i = 0; i < b.pes.count; i++) assert.deepEqual(gatherPes(src, a, i), gatherPes(bytesSource(fixture(name)), b, i));
    } finally {
      src.close();
    }
  }
});

test('pesByteOffset maps every byte of a gathered PES to the input byte it came from', () => {
  const bytes = fixture('h264-aac.ts');
  const ts = readMpegTs(bytesSource(bytes));
  const video = ts.streams.find((s) => s.kind === 'video');
  assert.ok(video);
  let checked = 0;
  const largest = pesOf(ts, video.pid).sort((a, b) => (ts.pes.size[b] ?? 0) - (ts.pes.size[a] ?? 0));
  for (const i of largest.slice(0, 3)) {
    const gathered = gatherPes(bytesSource(bytes), ts, i);
    assert.ok(gathered.length > 1000, 'spans several TS packets');
    for (let at = 0; at < gathered.length; at++) assert.equal(bytes[pesByteOffset(ts, i, at)], gathered[at], `PES ${i} byte ${at}`);
    assert.equal(pesByteOffset(ts, i, gathered.length), -1);
    assert.equal(pesByteOffset(ts, i, -1), -1);
    checked += gathered.length;
  }
  assert.ok(checked > 0);
});

test('a span of a PID\'s payload may start inside one PES and run on into the next: its bytes are those PES payloads joined, each mapped to its input byte', () => {
  const bytes = fixture('h264-aac.ts');
  const source = bytesSource(bytes);
  const ts = readMpegTs(source);
  const audio = ts.streams.find((s) => s.kind === 'audio');
  assert.ok(audio);
  const [first, second, third] = pesOf(ts, audio.pid);
  assert.ok(first !== undefined && second !== undefined && third !== undefined);
  const joined = Buffer.concat([gatherPes(source, ts, first), gatherPes(source, ts, second), gatherPes(source, ts, third)]);
  const from = pesSpan(ts, first);
  // From 500 bytes into the first PES's payload, through the second and into the third.
  const cursor = new SpanCursor(ts, from);
  const length = (ts.pes.size[first] ?? 0) - 500 + (ts.pes.size[second] ?? 0) + 100;
  const span = cursor.spanAt(500, length);
  const gathered = gatherSpan(source, ts, span);
  assert.deepEqual(gathered, new Uint8Array(joined.subarray(500, 500 + length)));
  for (let at = 0; at < length; at++) assert.equal(bytes[spanByteOffset(ts, span, at)], gathered[at], `byte ${at}`);
  assert.equal(spanByteOffset(ts, span, length), -1);
  assert.deepEqual(gatherSpan(source, ts, span, 10), gathered.subarray(0, 10));
  // Read one TS packet at a time (maxSpan 0), the same bytes.
  assert.deepEqual(gatherSpan(source, ts, span, Infinity, 0), gathered);
});
