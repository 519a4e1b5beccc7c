// KVS Local's HLS and DASH sessions played in a real browser: Debian's Chromium (H.264 and AAC in MSE)
// driven by playwright-core, with hls.js and shaka-player (DASH build) on a page served from 127.0.0.1.
// Session URLs come from the real SDK. Screenshots go to test-results/playback/ (git-ignored).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import {
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  type GetDASHStreamingSessionURLCommandInput,
  type GetHLSStreamingSessionURLCommandInput,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { chromium, type Browser, type Page } from 'playwright-core';
import { putPersisted, startMediaHarness, type MediaHarness } from '../media/helpers';
import { startPageServer, type PageServer, type PlaybackState } from './page';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-results/playback';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian's Chromium, with H.264/AAC in MSE, is needed to play in a browser)`;

let browser: Browser;
let pages: PageServer;

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

async function readState(page: Page): Promise<PlaybackState> {
  return page.evaluate(() => (window as unknown as { __read(): PlaybackState }).__read());
}

function describeState(state: PlaybackState): string {
  return JSON.stringify(state);
}

/** Opens the page, waits until currentTime passes `untilSeconds`; fails on any player error. */
async function play(player: 'hls' | 'shaka', src: string, untilSeconds: number, timeoutMs = 20_000): Promise<{ page: Page; state: PlaybackState }> {
  const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror ${error.message}`));
  await page.goto(pages.pageUrl(player, src));
  const deadline = Date.now() + timeoutMs;
  let state = await readState(page);
  while (Date.now() < deadline) {
    state = await readState(page);
    assert.deepEqual(state.errors, [], `${player} reported errors: ${describeState(state)} console: ${consoleErrors.join(' | ')}`);
    if (state.currentTime > untilSeconds) break;
    await sleep(100);
  }
  assert.ok(state.currentTime > untilSeconds, `${player} did not play past ${untilSeconds} s in ${timeoutMs} ms: ${describeState(state)} console: ${consoleErrors.join(' | ')}`);
  return { page, state };
}

/** Waits until the session's (first) media playlist lists `segments` segments. */
async function untilMediaPlaylistLists(sessionUrl: string, segments: number, timeoutMs: number): Promise<void> {
  const master = await (await fetch(sessionUrl)).text();
  const media = new URL(master.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#')) ?? '', sessionUrl);
  const deadline = Date.now() + timeoutMs;
  let listed = 0;
  while (Date.now() < deadline) {
    listed = (await (await fetch(media)).text()).split('\n').filter((line) => line.startsWith('#EXTINF')).length;
    if (listed >= segments) return;
    await sleep(250);
  }
  assert.fail(`the media playlist lists ${listed} segments after ${timeoutMs} ms, not ${segments}`);
}

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  [browser, pages] = await Promise.all([launch(), startPageServer()]);
});
after(async () => {
  await browser?.close();
  await pages?.close();
});

describe('ON_DEMAND playback in Chromium', { skip }, () => {
  let h: MediaHarness;
  const startMs = new Map<string, number>();

  before(async () => {
    h = await startMediaHarness();
    const uploads: [string, string][] = [
      ['h264', 'test/fixtures/media/h264-main-no-bframes.mkv'],
      ['h264aac', 'media/demo.mkv'],
    ];
    for (const [stream, path] of uploads) {
      await h.createStream(stream);
      const start = Date.now() - 20_000;
      startMs.set(stream, start);
      await putPersisted(h.service.url, stream, readFileSync(path), start);
    }
  });
  after(() => h?.close());

  const range = (stream: string) => {
    const start = startMs.get(stream) ?? 0;
    return { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(start - 1000), EndTimestamp: new Date(start + 60_000) } } as const;
  };
  async function hls(stream: string, input: Partial<GetHLSStreamingSessionURLCommandInput>): Promise<string> {
    const client = await h.archived(stream, 'GET_HLS_STREAMING_SESSION_URL');
    try {
      return (await client.send(new GetHLSStreamingSessionURLCommand({ StreamName: stream, PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: range(stream), ...input }))).HLSStreamingSessionURL ?? '';
    } finally {
      client.destroy();
    }
  }
  async function dash(stream: string, input: Partial<GetDASHStreamingSessionURLCommandInput>): Promise<string> {
    const client = await h.archived(stream, 'GET_DASH_STREAMING_SESSION_URL');
    try {
      return (await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: stream, PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: range(stream), ...input }))).DASHStreamingSessionURL ?? '';
    } finally {
      client.destroy();
    }
  }

  const sources = [
    { stream: 'h264', label: 'H.264 320x240 (h264-main-no-bframes.mkv)', size: [320, 240] },
    { stream: 'h264aac', label: 'H.264+AAC 640x360 (media/demo.mkv)', size: [640, 360] },
  ] as const;
  const sessions = [
    { name: 'HLS fMP4 with hls.js', player: 'hls', url: (stream: string) => hls(stream, { ContainerFormat: 'FRAGMENTED_MP4' }) },
    { name: 'HLS MPEG_TS with hls.js', player: 'hls', url: (stream: string) => hls(stream, { ContainerFormat: 'MPEG_TS' }) },
    { name: 'DASH with shaka-player', player: 'shaka', url: (stream: string) => dash(stream, {}) },
  ] as const;

  for (const source of sources) {
    for (const session of sessions) {
      test(`${session.name}: ${source.label} plays past 1.5 s at the source size, without player errors`, async () => {
        const url = await session.url(source.stream);
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
        const { page, state } = await play(session.player, url, 1.5);
        try {
          assert.deepEqual([state.videoWidth, state.videoHeight], source.size, describeState(state));
          await page.screenshot({ path: `${SHOTS}/${source.stream}-${session.name.split(' with ')[0]?.replace(/\s+/g, '-') ?? session.player}-${session.player}.png` });
        } finally {
          await page.close();
        }
      });
    }
  }
});

describe('LIVE playback of the demo producer in Chromium', { skip }, () => {
  let h: MediaHarness;
  before(async () => {
    h = await startMediaHarness({ demo: true });
  });
  after(() => h?.close());

  test('hls.js plays a LIVE HLS session for 30 s and keeps up: advancing, ≤ 1 stall for want of media, no fatal errors, latency < 10 s', async () => {
    const client = await h.archived('demo', 'GET_HLS_STREAMING_SESSION_URL');
    let url = '';
    const deadline = Date.now() + 15_000;
    try {
      // The demo producer needs a moment for its first fragment.
      while (!url) {
        try {
          url = (await client.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'demo', PlaybackMode: 'LIVE' }))).HLSStreamingSessionURL ?? '';
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(250);
        }
      }
    } finally {
      client.destroy();
    }
    // Opened when the stream has been live for a while, as a user would: the playlist lists its 5 newest
    // fragments and hls.js starts 4 behind the edge. Opened on the first fragment, hls.js would start at
    // it and play a second behind the edge, where any late fragment stalls it.
    await untilMediaPlaylistLists(url, 5, 20_000);
    const { page } = await play('hls', url, 0.5);
    try {
      const samples: PlaybackState[] = [];
      const end = Date.now() + 30_000;
      let last = await readState(page);
      let lastAdvance = Date.now();
      while (Date.now() < end) {
        await sleep(1000);
        const state = await readState(page);
        samples.push(state);
        assert.equal(state.fatal, false, describeState(state));
        assert.ok(state.errors.every((e) => !e.includes('FATAL')), describeState(state));
        if (state.currentTime > last.currentTime) lastAdvance = Date.now();
        assert.ok(Date.now() - lastAdvance < 4000, `currentTime stuck at ${state.currentTime} for 4 s: ${describeState(state)}`);
        assert.ok(state.latency !== null && state.latency < 10, `live latency ${state.latency} s: ${describeState(state)}`);
        last = state;
      }
      const first = samples[0];
      assert.ok(first && last.currentTime - first.currentTime > 25, `advanced only ${first ? last.currentTime - first.currentTime : 0} s in 30 s`);
      // A stall with media buffered is the browser short of CPU (the test machine's load, bounded by the
      // advance above); one with the buffer run dry means the session did not deliver in time.
      assert.ok(last.starvedStalls <= 1, `${last.starvedStalls} stalls for want of media: ${describeState(last)}`);
      assert.deepEqual([last.videoWidth, last.videoHeight], [640, 360]);
      const latencies = samples.map((s) => s.latency ?? Number.NaN);
      // Non-fatal hls.js errors are reported, not tolerated silently.
      assert.deepEqual(last.errors, [], describeState(last));
      await page.screenshot({ path: `${SHOTS}/demo-live-hls.png` });
      console.log(`LIVE: played ${(last.currentTime - (first?.currentTime ?? 0)).toFixed(1)} s in 30 s, stalls ${last.stalls} (${last.starvedStalls} for want of media), latency ${Math.min(...latencies).toFixed(2)}–${Math.max(...latencies).toFixed(2)} s`);
    } finally {
      await page.close();
    }
  });
});
