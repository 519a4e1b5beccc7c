// GetClip and GetImages of KVS Local through the real SDK, checked with ffprobe/ffmpeg.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { GetClipCommand, GetImagesCommand, type GetImagesCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import { serviceError } from '../http/harness';
import { putPersisted, startMediaHarness, type MediaHarness } from '../media/helpers';

const run = promisify(execFile);
const CLIP_PATH = 'test/fixtures/media/h264-aac.mkv';
const DEMO_PATH = 'media/demo.mkv';
const NO_FRAGMENTS = 'No fragments found in the stream for the streaming request.';

let h: MediaHarness;
let work = '';
let clipStartMs = 0;
let demoStartMs = 0;
const logs: string[] = [];

const put = (stream: string, bytes: Uint8Array, startMs: number): Promise<void> => putPersisted(h.service.url, stream, bytes, startMs);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kvs-clips-'));
  h = await startMediaHarness({ log: (level, message) => logs.push(`${level}: ${message}`) });
  await h.createStream('cam');
  await h.createStream('demo');
  await h.createStream('empty');
  await h.createStream('noretention', 0);
  clipStartMs = Date.now() - 60_000;
  demoStartMs = Date.now() - 30_000;
  await put('cam', readFileSync(CLIP_PATH), clipStartMs);
  await put('demo', readFileSync(DEMO_PATH), demoStartMs);
});
after(async () => {
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

function selector(startMs: number, endMs: number, type: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP' = 'PRODUCER_TIMESTAMP') {
  return { FragmentSelectorType: type, TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) } } as const;
}

async function clip(stream: string, startMs: number, endMs: number, type?: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP'): Promise<{ type: string | undefined; bytes: Uint8Array }> {
  const client = await h.archived(stream, 'GET_CLIP');
  const out = await client.send(new GetClipCommand({ StreamName: stream, ClipFragmentSelector: selector(startMs, endMs, type) }));
  return { type: out.ContentType, bytes: (await out.Payload?.transformToByteArray()) ?? new Uint8Array(0) };
}

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; nb_read_packets?: string }[];
  format: { duration?: string };
}

async function probe(path: string): Promise<Probe> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-count_packets', '-of', 'json', path], { timeout: 60_000 });
  assert.equal(stderr.trim(), '', `ffprobe complained about ${path}`);
  return JSON.parse(stdout) as Probe;
}

function saved(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

async function assertClipLike(path: string, sourcePath: string, size: [number, number]): Promise<void> {
  const [got, source] = await Promise.all([probe(path), probe(sourcePath)]);
  for (const kind of ['video', 'audio']) {
    const s = got.streams.find((x) => x.codec_type === kind);
    const src = source.streams.find((x) => x.codec_type === kind);
    assert.equal(s?.codec_name, kind === 'video' ? 'h264' : 'aac');
    assert.ok(Math.abs(Number(s.nb_read_packets) - Number(src?.nb_read_packets)) <= 1, `${kind} packets ${s.nb_read_packets} vs ${src?.nb_read_packets}`);
    if (kind === 'video') assert.deepEqual([s.width, s.height], size);
  }
  const duration = Number(got.format.duration);
  assert.ok(Math.abs(duration - Number(source.format.duration)) < 0.1, `duration ${duration} vs ${source.format.duration}`);
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { timeout: 60_000 });
  assert.equal(stderr.trim(), '', 'ffmpeg decode errors');
}

test('GetClip of h264-aac.mkv is an MP4 with H.264 + AAC, the source frame counts and duration', async () => {
  const out = await clip('cam', clipStartMs - 1000, clipStartMs + 60_000);
  assert.equal(out.type, 'video/mp4');
  assert.equal(Buffer.from(out.bytes.subarray(4, 8)).toString('latin1'), 'ftyp');
  await assertClipLike(saved('cam.mp4', out.bytes), CLIP_PATH, [320, 240]);
});

test('GetClip of media/demo.mkv (SERVER_TIMESTAMP selector) plays like the source', async () => {
  const out = await clip('demo', Date.now() - 120_000, Date.now(), 'SERVER_TIMESTAMP');
  await assertClipLike(saved('demo.mp4', out.bytes), DEMO_PATH, [640, 360]);
});

test('GetClip of a sub-range holds only the fragments whose start is in it', async () => {
  const archived = await h.archived('demo', 'LIST_FRAGMENTS');
  const { ListFragmentsCommand } = await import('@aws-sdk/client-kinesis-video-archived-media');
  const listed = await archived.send(new ListFragmentsCommand({ StreamName: 'demo', FragmentSelector: selector(demoStartMs - 1000, demoStartMs + 60_000) }));
  const fragments = (listed.Fragments ?? []).sort((a, b) => (a.ProducerTimestamp?.getTime() ?? 0) - (b.ProducerTimestamp?.getTime() ?? 0));
  assert.ok(fragments.length >= 2, `demo has ${fragments.length} fragments`);
  const second = fragments[1];
  const third = fragments[2];
  assert.ok(second?.ProducerTimestamp);
  const from = second.ProducerTimestamp.getTime();
  const to = third?.ProducerTimestamp ? third.ProducerTimestamp.getTime() - 1 : from + 1;
  const out = await clip('demo', from, to);
  const got = await probe(saved('sub.mp4', out.bytes));
  const duration = Number(got.format.duration);
  const expected = Number(second.FragmentLengthInMilliseconds) / 1000;
  assert.ok(Math.abs(duration - expected) < 0.1, `sub-range duration ${duration} vs fragment ${expected}`);
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', saved('sub.mp4', out.bytes), '-f', 'null', '-']);
  assert.equal(stderr.trim(), '');
});

test('GetClip errors: empty range, no retention, bad parameters, unknown stream', async () => {
  const client = await h.archived('cam', 'GET_CLIP');
  const send = (input: object) => client.send(new GetClipCommand(input as never));
  const now = Date.now();
  const cases: [object, string, RegExp?][] = [
    [{ StreamName: 'empty', ClipFragmentSelector: selector(now - 60_000, now) }, 'ResourceNotFoundException', new RegExp(NO_FRAGMENTS.replace('.', '\\.'))],
    [{ StreamName: 'cam', ClipFragmentSelector: selector(now + 3600_000, now + 7200_000) }, 'ResourceNotFoundException'],
    [{ StreamName: 'noretention', ClipFragmentSelector: selector(now - 60_000, now) }, 'NoDataRetentionException'],
    [{ StreamName: 'nope', ClipFragmentSelector: selector(now - 60_000, now) }, 'ResourceNotFoundException'],
    [{ StreamName: 'cam' }, 'InvalidArgumentException', /ClipFragmentSelector/i],
    [{ ClipFragmentSelector: selector(now - 60_000, now) }, 'InvalidArgumentException', /StreamName or the StreamARN/i],
    [{ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP' } }, 'InvalidArgumentException', /TimestampRange/i],
    [{ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'NOPE', TimestampRange: selector(0, 1).TimestampRange } }, 'InvalidArgumentException', /FragmentSelectorType/i],
    [{ StreamName: 'cam', ClipFragmentSelector: { TimestampRange: selector(now - 1000, now).TimestampRange } }, 'InvalidArgumentException', /FragmentSelectorType/i],
    [{ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now) } } }, 'InvalidArgumentException', /EndTimestamp/i],
    [{ StreamName: 'cam', ClipFragmentSelector: selector(now, now - 1000) }, 'InvalidArgumentException', /after StartTimestamp/i],
    [{ StreamName: 'cam', ClipFragmentSelector: selector(now - 25 * 3600_000, now) }, 'InvalidArgumentException', /24 hours/i],
  ];
  for (const [input, name, text] of cases) {
    const error = await serviceError(send(input), name);
    assert.equal(error.name, name, JSON.stringify(input));
    if (text) assert.match(error.message, text);
  }
});

async function images(input: Partial<GetImagesCommandInput>) {
  const client = await h.archived('demo', 'GET_IMAGES');
  return client.send(new GetImagesCommand({ StreamName: 'demo', ImageSelectorType: 'PRODUCER_TIMESTAMP', StartTimestamp: new Date(demoStartMs - 1000), EndTimestamp: new Date(demoStartMs + 5000), SamplingInterval: 500, Format: 'JPEG', ...input }));
}

async function imageSize(bytes: Uint8Array, name: string): Promise<[number, number]> {
  const path = saved(name, bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path]);
  const s = (JSON.parse(stdout) as Probe).streams[0];
  return [s?.width ?? 0, s?.height ?? 0];
}

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test('GetImages JPEG over the demo: one entry per instant, NO_MEDIA outside the media, images at the asked width', async () => {
  const out = await images({ WidthPixels: 320, FormatConfig: { JPEGQuality: '90' }, MaxResults: 25 });
  const list = out.Images ?? [];
  assert.equal(list.length, 13);
  assert.equal(out.NextToken, undefined);
  list.forEach((image, i) => assert.equal(image.TimeStamp?.getTime(), demoStartMs - 1000 + i * 500));
  for (const i of [0, 1, 11, 12]) assert.equal(list[i]?.Error, 'NO_MEDIA', `entry ${i}`);
  for (let i = 2; i <= 9; i++) {
    const image = list[i];
    assert.equal(image?.Error, undefined, `entry ${i}: ${JSON.stringify(image)}`);
    const bytes = Buffer.from(image?.ImageContent ?? '', 'base64');
    assert.deepEqual(bytes.subarray(0, 3), JPEG_MAGIC);
    if (i === 2 || i === 9) assert.deepEqual(await imageSize(bytes, `img${i}.jpg`), [320, 180]);
  }
  // Different instants give different frames.
  assert.notEqual(list[2]?.ImageContent, list[9]?.ImageContent);
});

/** Frame `index` (presentation order) of a file as PNG, decoded by ffmpeg. */
async function sourceFrame(path: string, index: number): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-an', '-vf', `select=eq(n\\,${index})`, '-fps_mode', 'passthrough', '-frames:v', '1', '-c:v', 'png', '-f', 'image2pipe', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

test('GetImages shows the frame at or before the instant (demo frames at 21 + 40·n ms: 2020 ms → frame 49, 2021 ms → keyframe 50 of the next fragment)', async () => {
  const out = await images({ Format: 'PNG', StartTimestamp: new Date(demoStartMs + 2020), EndTimestamp: new Date(demoStartMs + 2020), SamplingInterval: 200 });
  assert.equal(out.Images?.length, 1);
  const at2020 = Buffer.from(out.Images?.[0]?.ImageContent ?? '', 'base64');
  const next = await images({ Format: 'PNG', StartTimestamp: new Date(demoStartMs + 2021), EndTimestamp: new Date(demoStartMs + 2021), SamplingInterval: 200 });
  const at2021 = Buffer.from(next.Images?.[0]?.ImageContent ?? '', 'base64');
  assert.ok(at2020.equals(await sourceFrame(DEMO_PATH, 49)), 'frame 49');
  assert.ok(at2021.equals(await sourceFrame(DEMO_PATH, 50)), 'frame 50');
});

test('GetClip refuses unsupported codecs and missing or invalid codec private data', async () => {
  const source = readFileSync(CLIP_PATH);
  const start = Date.now() - 10_000;
  const at = source.indexOf(Buffer.from([0x63, 0xa2]));
  const vp8 = Buffer.from(source);
  const avc = vp8.indexOf('V_MPEG4/ISO/AVC', 0, 'latin1');
  vp8.write('V_VP8/ISO/AVCXX', avc, 'latin1');
  const noCpd = Buffer.from(source);
  noCpd[at + 1] = 0xa9;
  const badCpd = Buffer.from(source);
  badCpd.fill(0xff, at + 3, at + 12);
  const cases: [string, Buffer, string][] = [
    ['vp8', vp8, 'UnsupportedStreamMediaTypeException'],
    ['nocpd', noCpd, 'MissingCodecPrivateDataException'],
    ['badcpd', badCpd, 'InvalidCodecPrivateDataException'],
  ];
  for (const [name, bytes, error] of cases) {
    await h.createStream(name);
    await put(name, bytes, start);
    await serviceError(clip(name, start - 1000, start + 60_000), error, 400);
  }
});

test('GetImages PNG with width and height, paged with NextToken', async () => {
  const seen: (string | undefined)[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await images({ Format: 'PNG', WidthPixels: 100, HeightPixels: 80, MaxResults: 5, ...(token !== undefined && { NextToken: token }) });
    pages++;
    assert.ok((out.Images ?? []).length <= 5);
    for (const image of out.Images ?? []) seen.push(image.Error ?? image.ImageContent);
    token = out.NextToken;
  } while (token !== undefined && pages < 10);
  assert.equal(pages, 3);
  assert.equal(seen.length, 13);
  const png = Buffer.from(seen[4] ?? '', 'base64');
  assert.deepEqual(png.subarray(0, 8), PNG_MAGIC);
  assert.deepEqual(await imageSize(png, 'img.png'), [100, 80]);
  // MaxResults above 25 still pages by 25.
  const big = await images({ StartTimestamp: new Date(demoStartMs - 20_000), EndTimestamp: new Date(demoStartMs), SamplingInterval: 200, MaxResults: 100 });
  assert.equal(big.Images?.length, 25);
  assert.ok(big.NextToken);
});

test('GetImages errors', async () => {
  const client = await h.archived('demo', 'GET_IMAGES');
  const base = { StreamName: 'demo', ImageSelectorType: 'PRODUCER_TIMESTAMP', StartTimestamp: new Date(demoStartMs), EndTimestamp: new Date(demoStartMs + 1000), SamplingInterval: 500, Format: 'JPEG' };
  const cases: [object, string, RegExp?][] = [
    [{ ...base, EndTimestamp: new Date(demoStartMs + 301_000) }, 'InvalidArgumentException', /300 seconds/i],
    [{ ...base, SamplingInterval: 100 }, 'InvalidArgumentException', /SamplingInterval/i],
    [{ ...base, Format: 'GIF' }, 'InvalidArgumentException', /Format/i],
    [{ ...base, ImageSelectorType: 'NOPE' }, 'InvalidArgumentException', /ImageSelectorType/i],
    [{ ...base, WidthPixels: 4000 }, 'InvalidArgumentException', /WidthPixels/i],
    [{ ...base, HeightPixels: 0 }, 'InvalidArgumentException', /HeightPixels/i],
    [{ ...base, MaxResults: 101 }, 'InvalidArgumentException', /MaxResults/i],
    [{ ...base, FormatConfig: { JPEGQuality: '101' } }, 'InvalidArgumentException', /JPEGQuality/i],
    [{ ...base, EndTimestamp: new Date(demoStartMs - 1000) }, 'InvalidArgumentException', /EndTimestamp/i],
    [{ ...base, NextToken: 'bm90YXRva2Vu' }, 'InvalidArgumentException', /NextToken/i],
    [{ ...base, StreamName: 'noretention' }, 'NoDataRetentionException'],
    [{ ...base, StreamName: 'nope' }, 'ResourceNotFoundException'],
  ];
  for (const [input, name, text] of cases) {
    const error = await serviceError(client.send(new GetImagesCommand(input as never)), name);
    assert.equal(error.name, name, JSON.stringify(input));
    if (text) assert.match(error.message, text);
  }
  // An empty stream: every instant is NO_MEDIA.
  const empty = await client.send(new GetImagesCommand({ ...(base as GetImagesCommandInput), StreamName: 'empty' }));
  assert.deepEqual(empty.Images?.map((i) => i.Error), ['NO_MEDIA', 'NO_MEDIA', 'NO_MEDIA']);
});

test('GetImages answers MEDIA_ERROR and logs why when ffmpeg is not on PATH', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'kvs-nopath-'));
  const path = process.env.PATH;
  process.env.PATH = empty;
  logs.length = 0;
  try {
    const out = await images({ StartTimestamp: new Date(demoStartMs), EndTimestamp: new Date(demoStartMs + 1000) });
    assert.deepEqual(out.Images?.map((i) => i.Error), ['MEDIA_ERROR', 'MEDIA_ERROR', 'MEDIA_ERROR']);
    assert.ok(out.Images?.every((i) => i.ImageContent === undefined));
  } finally {
    process.env.PATH = path;
    rmSync(empty, { recursive: true, force: true });
  }
  assert.ok(logs.some((l) => /^error: .*GetImages.*MEDIA_ERROR.*ffmpeg is not on PATH/.test(l)), logs.join('\n'));
  // And with ffmpeg back, the same request decodes.
  const again = await images({ StartTimestamp: new Date(demoStartMs), EndTimestamp: new Date(demoStartMs + 1000) });
  assert.deepEqual(again.Images?.map((i) => i.Error), [undefined, undefined, undefined]);
});


test('GetClip holds exactly the first 200 fragments of a range with more', async () => {
  // 250 fragments of one 20 ms keyframe each (50 fps, all intra, one cluster per frame).
  const path = join(work, 'tiny.mkv');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=50', '-frames:v', '250', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '1', '-bf', '0', '-f', 'matroska', '-cluster_size_limit', '1', path]);
  await h.createStream('tiny');
  const start = Date.now() - 120_000;
  await put('tiny', readFileSync(path), start);
  const { bytes } = await clip('tiny', start - 1000, start + 60_000);
  const top: string[] = [];
  const view = Buffer.from(bytes);
  for (let at = 0; at + 8 <= view.length; ) {
    const size = view.readUInt32BE(at);
    top.push(view.toString('latin1', at + 4, at + 8));
    assert.ok(size >= 8);
    at += size;
  }
  assert.equal(top.filter((t) => t === 'moof').length, 200);
  const out = join(work, 'tiny.mp4');
  writeFileSync(out, view);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-count_packets', '-show_entries', 'stream=nb_read_packets:format=start_time,duration', '-of', 'json', out]);
  const probe = JSON.parse(stdout) as { streams: { nb_read_packets: string }[]; format: { start_time: string; duration: string } };
  assert.equal(probe.streams[0]?.nb_read_packets, '200');
  // The first 200: 4.0 s from the start of the range (not the last 200 fragments).
  assert.ok(Math.abs(Number(probe.format.duration) - 4) < 0.05, stdout);
  assert.ok(Math.abs(Number(probe.format.start_time)) < 0.05, stdout);
});
