// HLS and DASH streaming sessions of KVS Local through the real SDK, played back with ffprobe.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  type GetDASHStreamingSessionURLCommandInput,
  type GetHLSStreamingSessionURLCommandInput,
  type KinesisVideoArchivedMediaClient,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { serviceError } from '../http/harness';
import { putPersisted, startMediaHarness, type MediaHarness } from '../media/helpers';

const run = promisify(execFile);
const CLIP = readFileSync('test/fixtures/media/h264-aac.mkv');
const DEMO = readFileSync('media/demo.mkv');
const NO_FRAGMENTS = 'No fragments found in the stream for the streaming request.';

let h: MediaHarness;
let skewMs = 0;
const clock = () => Date.now() + skewMs;
let clipStartMs = 0;
let demoStartMs = 0;

const put = (stream: string, bytes: Uint8Array, startMs: number): Promise<void> => putPersisted(h.service.url, stream, bytes, startMs);

/** The bytes with one same-length ASCII string replaced (changes a header field in place). */
function patched(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(from, 0, 'latin1');
  assert.ok(at >= 0 && from.length === to.length);
  copy.write(to, at, 'latin1');
  return copy;
}

before(async () => {
  h = await startMediaHarness({ now: clock });
  await h.createStream('cam');
  await h.createStream('demo');
  await h.createStream('empty');
  await h.createStream('noretention', 0);
  clipStartMs = Date.now() - 20_000;
  demoStartMs = Date.now() - 20_000;
  await put('cam', CLIP, clipStartMs);
  await put('demo', DEMO, demoStartMs);
});
after(() => h.close());

async function hls(stream: string, input: Partial<GetHLSStreamingSessionURLCommandInput> = {}): Promise<string> {
  const client = await h.archived(stream, 'GET_HLS_STREAMING_SESSION_URL');
  return (await client.send(new GetHLSStreamingSessionURLCommand({ StreamName: stream, ...input }))).HLSStreamingSessionURL ?? '';
}

async function dash(stream: string, input: Partial<GetDASHStreamingSessionURLCommandInput> = {}): Promise<string> {
  const client = await h.archived(stream, 'GET_DASH_STREAMING_SESSION_URL');
  return (await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: stream, ...input }))).DASHStreamingSessionURL ?? '';
}

function onDemand(startMs: number, endMs: number, type: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP' = 'PRODUCER_TIMESTAMP') {
  return { FragmentSelectorType: type, TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) } } as const;
}

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; nb_read_packets?: string; duration?: string }[];
  format: { duration?: string };
}

async function probe(url: string): Promise<Probe> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-count_packets', '-of', 'json', url], { timeout: 60_000 });
  assert.equal(stderr.trim(), '', `ffprobe complained about ${url}`);
  return JSON.parse(stdout) as Probe;
}

const sourceProbes = new Map<string, Promise<Probe>>();
function sourceProbe(path: string): Promise<Probe> {
  let p = sourceProbes.get(path);
  if (!p) sourceProbes.set(path, (p = probe(path)));
  return p;
}

async function assertPlaysLike(url: string, sourcePath: string, size: [number, number]): Promise<void> {
  const [got, source] = await Promise.all([probe(url), sourceProbe(sourcePath)]);
  const video = got.streams.find((s) => s.codec_type === 'video');
  const audio = got.streams.find((s) => s.codec_type === 'audio');
  const sourceVideo = source.streams.find((s) => s.codec_type === 'video');
  const sourceAudio = source.streams.find((s) => s.codec_type === 'audio');
  assert.equal(video?.codec_name, 'h264');
  assert.deepEqual([video.width, video.height], size);
  assert.equal(audio?.codec_name, 'aac');
  assert.ok(Math.abs(Number(video.nb_read_packets) - Number(sourceVideo?.nb_read_packets)) <= 1, `video packets ${video.nb_read_packets} vs ${sourceVideo?.nb_read_packets}`);
  assert.ok(Math.abs(Number(audio.nb_read_packets) - Number(sourceAudio?.nb_read_packets)) <= 1, `audio packets ${audio.nb_read_packets} vs ${sourceAudio?.nb_read_packets}`);
  const duration = Number(got.format.duration);
  assert.ok(Math.abs(duration - Number(source.format.duration)) < 0.1, `duration ${duration} vs ${source.format.duration}`);
}

async function get(url: string): Promise<{ status: number; type: string | null; text: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), headers: response.headers };
}

test('HLS fMP4 ON_DEMAND plays in ffprobe as H.264 320x240 + AAC with the source frame counts and duration', async () => {
  const url = await hls('cam', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 60_000), DisplayFragmentTimestamp: 'ALWAYS', DiscontinuityMode: 'ALWAYS' });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/hls\/v1\/getHLSMasterPlaylist\.m3u8\?SessionToken=[A-Za-z0-9_.-]+~$/);
  const master = await get(url);
  assert.equal(master.status, 200);
  assert.equal(master.type, 'application/x-mpegURL');
  assert.equal(master.headers.get('access-control-allow-origin'), '*');
  assert.match(master.text, /#EXT-X-MEDIA:.*TYPE=AUDIO.*GROUP-ID="audio"/);
  assert.match(master.text, /#EXT-X-STREAM-INF:CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",RESOLUTION=320x240,FRAME-RATE=25\.00,BANDWIDTH=\d+,AUDIO="audio"/);
  const mediaUrl = new URL(master.text.split('\n').find((l) => l.startsWith('getHLSMediaPlaylist')) ?? '', url).toString();
  const media = await get(mediaUrl);
  assert.match(media.text, /#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:\d+\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="getMP4InitFragment\.mp4\?/);
  assert.match(media.text, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT[\d:.]+Z\n#EXTINF:\d+\.\d{3},\ngetMP4MediaFragment\.mp4\?FragmentNumber=\d{47}&SessionToken=/);
  assert.match(media.text, /#EXT-X-ENDLIST\n$/);
  assert.doesNotMatch(media.text, /DISCONTINUITY-SEQUENCE/);
  await assertPlaysLike(url, 'test/fixtures/media/h264-aac.mkv', [320, 240]);
});

test('HLS fMP4 of media/demo.mkv (PRODUCER_TIMESTAMP: no discontinuities) plays with the source counts', async () => {
  const url = await hls('demo', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(demoStartMs - 1000, demoStartMs + 60_000) });
  const media = await get(new URL(`getHLSMediaPlaylist.m3u8?${new URL(url).search.slice(1)}&TrackNumber=1`, url).toString());
  assert.doesNotMatch(media.text, /DISCONTINUITY|PROGRAM-DATE-TIME/);
  await assertPlaysLike(url, 'media/demo.mkv', [640, 360]);
});

test('HLS MPEG_TS plays as one TS rendition with every track', async () => {
  const url = await hls('cam', { PlaybackMode: 'ON_DEMAND', ContainerFormat: 'MPEG_TS', DiscontinuityMode: 'NEVER', HLSFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 60_000) });
  const master = await get(url);
  assert.doesNotMatch(master.text, /EXT-X-MEDIA:/);
  const media = await get(new URL(master.text.split('\n').find((l) => l.startsWith('getHLSMediaPlaylist')) ?? '', url).toString());
  assert.match(media.text, /getTSFragment\.ts\?FragmentNumber=\d{47}&SessionToken=/);
  assert.doesNotMatch(media.text, /EXT-X-MAP|DISCONTINUITY/);
  const fragment = await get(new URL(media.text.split('\n').find((l) => l.startsWith('getTSFragment')) ?? '', url).toString());
  assert.equal(fragment.type, 'video/MP2T');
  await assertPlaysLike(url, 'test/fixtures/media/h264-aac.mkv', [320, 240]);
});

test('DASH ON_DEMAND: static MPD with kvs:ts/kvs:fn plays with the source counts', async () => {
  const url = await dash('cam', { PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 60_000), DisplayFragmentTimestamp: 'ALWAYS', DisplayFragmentNumber: 'ALWAYS' });
  assert.match(url, /\/dash\/v1\/getDASHManifest\.mpd\?SessionToken=/);
  const mpd = await get(url);
  assert.equal(mpd.type, 'application/dash+xml');
  assert.match(mpd.text, /type="static"/);
  assert.match(mpd.text, /xmlns:kvs="/);
  assert.equal((mpd.text.match(/<AdaptationSet /g) ?? []).length, 2);
  assert.match(mpd.text, /<S t="\d+" d="\d+" kvs:ts="\d+\.\d{3}" kvs:fn="\d{47}"\/>/);
  await assertPlaysLike(url, 'test/fixtures/media/h264-aac.mkv', [320, 240]);
});

test('LIVE: HLS sliding playlist of the newest fragments, DASH dynamic MPD', async () => {
  await put('cam', CLIP, Date.now());
  const url = await hls('cam', { MaxMediaPlaylistFragmentResults: 2 });
  const media = await get(`${url.replace('getHLSMasterPlaylist', 'getHLSMediaPlaylist')}&TrackNumber=1`);
  assert.equal(media.headers.get('cache-control'), 'no-cache');
  assert.doesNotMatch(media.text, /ENDLIST|PLAYLIST-TYPE/);
  assert.equal((media.text.match(/#EXTINF/g) ?? []).length, 2);
  assert.match(media.text, /#EXT-X-MEDIA-SEQUENCE:0\n/);
  await put('cam', CLIP, Date.now());
  const later = await get(`${url.replace('getHLSMasterPlaylist', 'getHLSMediaPlaylist')}&TrackNumber=1`);
  const fragments = (text: string) => [...text.matchAll(/FragmentNumber=(\d+)/g)].map((m) => m[1]);
  assert.equal(fragments(later.text).length, 2);
  assert.notDeepEqual(fragments(later.text), fragments(media.text));
  assert.match(later.text, /#EXT-X-MEDIA-SEQUENCE:[1-9]\d*\n/);
  const init = await fetch(later.text.split('\n').find((l) => l.startsWith('#EXT-X-MAP'))?.replace(/^#EXT-X-MAP:URI="(.*)"$/, `${new URL(url).origin}/hls/v1/$1`) ?? '');
  assert.equal(init.headers.get('content-type'), 'video/mp4');
  const mpd = await get(await dash('cam', { MaxManifestFragmentResults: 3 }));
  assert.match(mpd.text, /type="dynamic"/);
  assert.match(mpd.text, /minimumUpdatePeriod="PT1S"/);
  assert.equal((mpd.text.match(/<S /g) ?? []).length, 6);
});

test('session parameter errors are the service errors', async () => {
  const client: KinesisVideoArchivedMediaClient = await h.archived('cam', 'GET_HLS_STREAMING_SESSION_URL');
  const hlsCall = (input: Record<string, unknown>) => client.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam', ...input } as GetHLSStreamingSessionURLCommandInput));
  const dashCall = (input: Record<string, unknown>) => client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'cam', ...input } as GetDASHStreamingSessionURLCommandInput));
  const now = Date.now();
  const range = onDemand(clipStartMs - 1000, clipStartMs + 60_000);
  const invalid: [string, Promise<unknown>, RegExp][] = [
    ['PlaybackMode', hlsCall({ PlaybackMode: 'LATER' }), /playbackMode.*enum/],
    ['LIVE with a range', hlsCall({ PlaybackMode: 'LIVE', HLSFragmentSelector: range }), /must not be set when PlaybackMode is LIVE/],
    ['ON_DEMAND without selector', hlsCall({ PlaybackMode: 'ON_DEMAND' }), /TimestampRange is required/],
    ['LIVE_REPLAY without range', dashCall({ PlaybackMode: 'LIVE_REPLAY', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP' } }), /TimestampRange is required/],
    ['ON_DEMAND without End', hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now - 1000) } } }), /EndTimestamp is required/],
    ['End before Start', hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(now, now - 1000) }), /must be after StartTimestamp/],
    ['over 24 h', hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(now - 25 * 3600_000, now - 1000) }), /within 24 hours/],
    ['future End (server)', hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(now - 1000, now + 600_000, 'SERVER_TIMESTAMP') }), /in the past/],
    ['selector type', hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: { ...range, FragmentSelectorType: 'WALL' } }), /fragmentSelectorType.*enum/],
    ['ContainerFormat', hlsCall({ ContainerFormat: 'MKV' }), /containerFormat.*enum/],
    ['DiscontinuityMode', hlsCall({ DiscontinuityMode: 'SOMETIMES' }), /discontinuityMode.*enum/],
    ['DisplayFragmentTimestamp', hlsCall({ DisplayFragmentTimestamp: 'YES' }), /displayFragmentTimestamp.*enum/],
    ['DisplayFragmentNumber', dashCall({ DisplayFragmentNumber: 'YES' }), /displayFragmentNumber.*enum/],
    ['Expires low', hlsCall({ Expires: 299 }), /expires.*greater than or equal to 300/],
    ['Expires high', dashCall({ Expires: 43201 }), /expires.*less than or equal to 43200/],
    ['Max HLS', hlsCall({ MaxMediaPlaylistFragmentResults: 0 }), /maxMediaPlaylistFragmentResults.*greater than or equal to 1/],
    ['Max DASH', dashCall({ MaxManifestFragmentResults: 5001 }), /maxManifestFragmentResults.*less than or equal to 5000/],
    ['no stream', client.send(new GetHLSStreamingSessionURLCommand({})), /StreamName or the StreamARN/],
  ];
  for (const [label, call, message] of invalid) {
    const error = await serviceError(call, 'InvalidArgumentException', 400);
    assert.match(error.message, message, label);
  }
  const notFound = await serviceError(hlsCall({ PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(now - 3 * 3600_000, now - 2 * 3600_000) }), 'ResourceNotFoundException', 404);
  assert.equal(notFound.message, NO_FRAGMENTS);
  assert.equal((await serviceError(hls('empty'), 'ResourceNotFoundException', 404)).message, NO_FRAGMENTS);
  await serviceError(hls('noretention'), 'NoDataRetentionException', 400);
  await serviceError(hls('missing-stream'), 'ResourceNotFoundException', 404);
});

test('LIVE needs a fragment from the last 30 s', async () => {
  skewMs = 31_000 + 20_000;
  try {
    assert.equal((await serviceError(hls('demo'), 'ResourceNotFoundException', 404)).message, NO_FRAGMENTS);
  } finally {
    skewMs = 0;
  }
});

test('unsupported codecs and missing or invalid codec private data are refused', async () => {
  const start = Date.now() - 5000;
  await h.createStream('vp8');
  await put('vp8', patched(CLIP, 'V_MPEG4/ISO/AVC', 'V_VP8/ISO/AVCXX'), start);
  await serviceError(hls('vp8', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(start - 1000, start + 60_000) }), 'UnsupportedStreamMediaTypeException', 400);
  await h.createStream('nocpd');
  // CodecPrivate (ID 63 A2) becomes an unknown element: the track has no codec private data.
  const noCpd = Buffer.from(CLIP);
  const at = noCpd.indexOf(Buffer.from([0x63, 0xa2]));
  noCpd[at + 1] = 0xa9;
  await put('nocpd', noCpd, start);
  const missing = await serviceError(dash('nocpd', { PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: onDemand(start - 1000, start + 60_000) }), 'MissingCodecPrivateDataException', 400);
  assert.equal(missing.message, 'Missing codec private data in fragment for track 1.');
  await h.createStream('badcpd');
  const badCpd = Buffer.from(CLIP);
  badCpd.fill(0xff, at + 3, at + 12);
  await put('badcpd', badCpd, start);
  await serviceError(hls('badcpd', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(start - 1000, start + 60_000) }), 'InvalidCodecPrivateDataException', 400);
});

test('tokens: tampering and expiry give 403 with the message', async () => {
  const url = await hls('cam', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 60_000), Expires: 300 });
  assert.equal((await get(url)).status, 200);
  const token = new URL(url).searchParams.get('SessionToken') ?? '';
  const payload = token.split('.')[0] ?? '';
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = `${Buffer.from(JSON.stringify({ ...body, streamName: 'demo' })).toString('base64url')}.${token.split('.')[1] ?? ''}`;
  for (const bad of [forged, `${token.slice(0, 10)}x${token.slice(11)}`, 'nonsense']) {
    const answer = await get(url.replace(token, bad));
    assert.equal(answer.status, 403);
    assert.match(answer.text, /Streaming session token is not valid/);
  }
  skewMs = 301_000;
  try {
    const answer = await get(url);
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.equal((JSON.parse(answer.text) as { Message: string }).Message, 'Streaming session token is expired');
  } finally {
    skewMs = 0;
  }
});

test('the 11th session of a stream revokes the oldest', async () => {
  await h.createStream('sessions');
  const start = Date.now() - 5000;
  await put('sessions', CLIP, start);
  const input = { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(start - 1000, start + 60_000) } as const;
  const urls: string[] = [];
  for (let i = 0; i < 11; i++) urls.push(i % 2 === 0 ? await hls('sessions', input) : await dash('sessions', { PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: input.HLSFragmentSelector }));
  const first = await get(urls[0] ?? '');
  assert.equal(first.status, 403);
  assert.match(first.text, /revoked/);
  for (const url of urls.slice(1)) assert.equal((await get(url)).status, 200);
});

async function bytes(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}

test('consecutive fMP4 fragments continue the timeline (tfdt); TS continuity counters continue across fragments', async () => {
  const url = await hls('cam', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 10_000) });
  const base = new URL(url);
  const playlist = await get(`${url.replace('getHLSMasterPlaylist', 'getHLSMediaPlaylist')}&TrackNumber=1`);
  const uris = playlist.text.split('\n').filter((l) => l.startsWith('getMP4MediaFragment'));
  const durations = [...playlist.text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  assert.ok(uris.length >= 2);
  const tfdt = (b: Buffer): number => Number(b.readBigUInt64BE(b.indexOf('tfdt') + 8));
  const [first, second] = await Promise.all(uris.slice(0, 2).map((u) => bytes(new URL(u, base).toString())));
  assert.ok(first && second);
  assert.ok(Math.abs(tfdt(second) - tfdt(first) - (durations[0] ?? 0) * 90_000) <= 90 * 41, `tfdt ${tfdt(first)} → ${tfdt(second)}`);

  const tsUrl = await hls('cam', { PlaybackMode: 'ON_DEMAND', ContainerFormat: 'MPEG_TS', HLSFragmentSelector: onDemand(clipStartMs - 1000, clipStartMs + 10_000) });
  const tsPlaylist = await get(`${tsUrl.replace('getHLSMasterPlaylist', 'getHLSMediaPlaylist')}&TrackNumber=1`);
  const tsUris = tsPlaylist.text.split('\n').filter((l) => l.startsWith('getTSFragment'));
  // The second fragment first (the server packages the first to continue from it), then the first.
  const ts2 = await bytes(new URL(tsUris[1] ?? '', base).toString());
  const ts1 = await bytes(new URL(tsUris[0] ?? '', base).toString());
  const counters = (b: Buffer, pid: number): number[] => {
    const out: number[] = [];
    for (let at = 0; at + 188 <= b.length; at += 188) {
      const packetPid = ((b[at + 1] ?? 0) & 0x1f) * 256 + (b[at + 2] ?? 0);
      if (packetPid === pid && ((b[at + 3] ?? 0) & 0x10) !== 0) out.push((b[at + 3] ?? 0) & 0x0f);
    }
    return out;
  };
  for (const pid of [0, 0x1000, 0x100, 0x101]) {
    const a = counters(ts1, pid);
    const b = counters(ts2, pid);
    assert.ok(a.length > 0 && b.length > 0);
    assert.equal(b[0], ((a.at(-1) ?? 0) + 1) % 16, `PID ${pid}`);
  }
});
