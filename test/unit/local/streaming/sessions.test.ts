// HLS/DASH session behaviour across uploads: codec private data changes (new init fragment,
// SequenceNumber counting up; DASH refuses), LIVE_REPLAY growing with the clock, DiscontinuityMode.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  type GetDASHStreamingSessionURLCommandInput,
  type GetHLSStreamingSessionURLCommandInput,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { serviceError } from '../http/harness';
import { putPersisted, startMediaHarness, type MediaHarness } from '../media/helpers';

const run = promisify(execFile);
const CLIP = readFileSync('test/fixtures/media/h264-aac.mkv');

let h: MediaHarness;
let work = '';
let skewMs = 0;
const clock = () => Date.now() + skewMs;
/** 2 s of 160x120 25 fps H.264 (1 s GOP) + AAC mono 48 kHz: other video codec private data than CLIP. */
let small: Buffer = Buffer.alloc(0);

const put = (stream: string, bytes: Uint8Array, startMs: number): Promise<void> => putPersisted(h.service.url, stream, bytes, startMs);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kvs-sessions-'));
  const path = join(work, 'small.mkv');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '2', '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-bf', '0', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0',
    '-c:a', 'aac', '-ac', '1',
    '-f', 'matroska', path,
  ]);
  small = readFileSync(path);
  h = await startMediaHarness({ now: clock });
});
after(async () => {
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

async function hls(stream: string, input: Partial<GetHLSStreamingSessionURLCommandInput> = {}): Promise<string> {
  const client = await h.archived(stream, 'GET_HLS_STREAMING_SESSION_URL');
  return (await client.send(new GetHLSStreamingSessionURLCommand({ StreamName: stream, ...input }))).HLSStreamingSessionURL ?? '';
}

async function dash(stream: string, input: Partial<GetDASHStreamingSessionURLCommandInput> = {}): Promise<string> {
  const client = await h.archived(stream, 'GET_DASH_STREAMING_SESSION_URL');
  return (await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: stream, ...input }))).DASHStreamingSessionURL ?? '';
}

function range(startMs: number, endMs: number) {
  return { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) } } as const;
}

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.text();
}

function mediaPlaylistUrl(sessionUrl: string, track = 1): string {
  return `${sessionUrl.replace('getHLSMasterPlaylist', 'getHLSMediaPlaylist')}&TrackNumber=${track}`;
}

const count = (playlist: string, pattern: RegExp): number => (playlist.match(pattern) ?? []).length;

test('codec private data changing in an HLS session: DISCONTINUITY + a new EXT-X-MAP with SequenceNumber 1; ffprobe plays both; DASH refuses', async () => {
  await h.createStream('cpd');
  const start = Date.now() - 20_000;
  await put('cpd', CLIP, start);
  await put('cpd', small, start + 3000);
  const url = await hls('cpd', { PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: range(start - 1000, start + 10_000) });
  for (const track of [1, 2]) {
    const playlist = await text(mediaPlaylistUrl(url, track));
    const maps = [...playlist.matchAll(/#EXT-X-MAP:URI="getMP4InitFragment\.mp4\?SessionToken=[^&]+&TrackNumber=(\d)&SequenceNumber=(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(maps, [[track, 0], [track, 1]], playlist);
    // PRODUCER_TIMESTAMP defaults to DiscontinuityMode NEVER: the only DISCONTINUITY is the change.
    assert.equal(count(playlist, /#EXT-X-DISCONTINUITY\n/g), 1, playlist);
    assert.match(playlist, /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="[^"]*SequenceNumber=1"\n#EXTINF/);
  }
  const init = async (sequence: number): Promise<Buffer> => {
    const response = await fetch(`${url.replace('getHLSMasterPlaylist.m3u8', 'getMP4InitFragment.mp4')}&TrackNumber=1&SequenceNumber=${sequence}`);
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  };
  const [init0, init1] = await Promise.all([init(0), init(1)]);
  assert.notDeepEqual(init0, init1);
  assert.equal((await fetch(`${url.replace('getHLSMasterPlaylist.m3u8', 'getMP4InitFragment.mp4')}&TrackNumber=1&SequenceNumber=2`)).status, 404);

  // ffprobe reads the whole session: every video packet of both uploads (2 s + 2 s at 25 fps).
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', url], { timeout: 60_000 });
  const packets = Number(stdout.split('\n')[0]?.trim().replace(/,+$/, ''));
  assert.ok(Math.abs(packets - 100) <= 2, stdout);
  // ffmpeg's HLS demuxer keeps the first init segment's decoder configuration, so check each part with
  // its own init fragment: SequenceNumber 0 + the first fragment is 320x240, SequenceNumber 1 + the
  // first fragment after the change is 160x120.
  const playlist = await text(mediaPlaylistUrl(url, 1));
  const afterChange = playlist.slice(playlist.indexOf('SequenceNumber=1'));
  const mediaUris = [playlist, afterChange].map((p) => p.split('\n').find((l) => l.startsWith('getMP4MediaFragment')) ?? '');
  const sizes: string[] = [];
  for (const [i, uri] of mediaUris.entries()) {
    const media = Buffer.from(await (await fetch(new URL(uri, url))).arrayBuffer());
    const file = join(work, `part${i}.mp4`);
    writeFileSync(file, Buffer.concat([i === 0 ? init0 : init1, media]));
    const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=width,height', '-of', 'csv=p=0', file]);
    assert.equal(probe.stderr.trim(), '');
    sizes.push(...new Set(probe.stdout.split('\n').map((l) => l.trim().replace(/,+$/, '')).filter((l) => l !== '')));
  }
  assert.deepEqual(sizes, ['320,240', '160,120']);

  const error = await serviceError(dash('cpd', { PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: range(start - 1000, start + 10_000) }), 'InvalidCodecPrivateDataException', 400);
  assert.match(error.message, /codec private data/);
  await serviceError(dash('cpd', { PlaybackMode: 'LIVE_REPLAY', DASHFragmentSelector: range(start - 1000, start + 10_000) }), 'InvalidCodecPrivateDataException', 400);
  // A range with one codec private data is fine.
  const mpd = await text(await dash('cpd', { PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: range(start - 1000, start + 2500) }));
  assert.match(mpd, /SequenceNumber=0/);
  assert.match(mpd, /width="320" height="240"/);
});

test('DASH LIVE: the manifest stops before a codec private data change', async () => {
  await h.createStream('cpdlive');
  await put('cpdlive', CLIP, Date.now() - 2500);
  const url = await dash('cpdlive', { MaxManifestFragmentResults: 50 });
  const before = count(await text(url), /<S /g);
  assert.ok(before > 0);
  await put('cpdlive', small, Date.now());
  const after = await text(url);
  assert.equal(count(after, /<S /g), before);
  assert.doesNotMatch(after, /width="160"/);
});

test('LIVE_REPLAY: fragments join as their time elapses; ENDLIST once EndTimestamp is reached', async () => {
  await h.createStream('replay');
  const start = Date.now() - 60_000;
  await put('replay', CLIP, start);
  // The fragments' producer start times, from an ON_DEMAND playlist.
  const all = await text(mediaPlaylistUrl(await hls('replay', { PlaybackMode: 'ON_DEMAND', DisplayFragmentTimestamp: 'ALWAYS', HLSFragmentSelector: range(start, start + 10_000) })));
  const starts = [...all.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/g)].map((m) => Date.parse(m[1] ?? '') - start);
  assert.ok(starts.length >= 2, all);
  assert.equal(starts[0], 0);
  const lastStart = starts.at(-1) ?? 0;
  const url = await hls('replay', { PlaybackMode: 'LIVE_REPLAY', HLSFragmentSelector: range(start, start + lastStart + 1), MaxMediaPlaylistFragmentResults: 100 });
  try {
    const first = await text(mediaPlaylistUrl(url));
    assert.equal(count(first, /#EXTINF/g), 1, first);
    assert.doesNotMatch(first, /ENDLIST|PLAYLIST-TYPE/);
    skewMs = (starts[1] ?? 0) + 10;
    const second = await text(mediaPlaylistUrl(url));
    assert.equal(count(second, /#EXTINF/g), starts.filter((s) => s <= skewMs).length);
    assert.ok(count(second, /#EXTINF/g) >= 2);
    if (lastStart > skewMs) assert.doesNotMatch(second, /ENDLIST/);
    skewMs = lastStart + 5;
    const done = await text(mediaPlaylistUrl(url));
    assert.equal(count(done, /#EXTINF/g), starts.length);
    assert.match(done, /#EXT-X-ENDLIST\n$/);
  } finally {
    skewMs = 0;
  }
});

test('DiscontinuityMode: ON_DISCONTINUITY marks only a producer-time gap, NEVER none, ALWAYS every fragment', async () => {
  await h.createStream('gaps');
  const start = Date.now() - 30_000;
  await put('gaps', CLIP, start);
  await put('gaps', CLIP, start + 5000);
  const playlist = async (mode: 'ALWAYS' | 'NEVER' | 'ON_DISCONTINUITY'): Promise<string> =>
    text(mediaPlaylistUrl(await hls('gaps', { PlaybackMode: 'ON_DEMAND', DiscontinuityMode: mode, DisplayFragmentTimestamp: 'ALWAYS', HLSFragmentSelector: range(start - 1000, start + 20_000) })));
  const on = await playlist('ON_DISCONTINUITY');
  assert.equal(count(on, /#EXT-X-DISCONTINUITY\n/g), 1, on);
  assert.match(on, new RegExp(`#EXT-X-DISCONTINUITY\\n#EXT-X-PROGRAM-DATE-TIME:${new Date(start + 5000).toISOString()}\\n`));
  assert.equal(count(on, /#EXT-X-MAP/g), 1);
  const never = await playlist('NEVER');
  assert.equal(count(never, /DISCONTINUITY/g), 0);
  const always = await playlist('ALWAYS');
  assert.equal(count(always, /#EXT-X-DISCONTINUITY\n/g), count(always, /#EXTINF/g));
  assert.ok(count(always, /#EXTINF/g) >= 4);
});
