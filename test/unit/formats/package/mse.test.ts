// Chromium's Media Source Extensions as a second judge (what hls.js and dash.js feed): the codec
// strings are supported, and init segment + media fragments (fMP4) or TS fragments append one by one
// without errors and buffer the MKV's time range. Skipped when no Chromium is installed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { codecString, initSegment, mediaFragment, tsFragment } from '../../../../src/formats/package';
import { load, samplesOf } from './helpers';

const CHROMIUM = process.env.KVS_E2E_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

interface AppendResult {
  supported: boolean;
  errors: string[];
  ranges: [number, number][];
}

/** Runs in the page: a SourceBuffer of `mime`, each segment appended in turn. */
async function appendAll([segments, mime]: readonly [string[], string]): Promise<AppendResult> {
  const result: AppendResult = { supported: MediaSource.isTypeSupported(mime), errors: [], ranges: [] };
  if (!result.supported) return result;
  const video = document.createElement('video');
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = source.addSourceBuffer(mime);
  buffer.addEventListener('error', () => result.errors.push('SourceBuffer error'));
  video.addEventListener('error', () => result.errors.push(`video error: ${video.error?.message ?? ''}`));
  for (const b64 of segments) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    try {
      buffer.appendBuffer(bytes);
    } catch (e) {
      result.errors.push(String(e));
      break;
    }
    await Promise.race([new Promise((resolve) => buffer.addEventListener('updateend', resolve, { once: true })), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (buffer.updating) result.errors.push('append did not finish');
  }
  // Chromium's TS parser holds back the last access units until the end of the stream is known.
  if (source.readyState === 'open' && !buffer.updating) source.endOfStream();
  for (let i = 0; i < buffer.buffered.length; i++) result.ranges.push([buffer.buffered.start(i), buffer.buffered.end(i)]);
  return result;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

test('MSE (Chromium): fMP4 and TS fragments append cleanly and buffer the MKV time range', { skip: !hasChromium }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<html><body></body></html>');
    for (const path of ['test/fixtures/media/h264-aac.mkv', 'media/demo.mkv', 'test/fixtures/media/h264-main-bframes.mkv']) {
      const f = load(path);
      for (const track of f.tracks) {
        const mime = `${track.kind}/mp4; codecs="${codecString(track) ?? ''}"`;
        const segments = [b64(initSegment(track).bytes)];
        f.fragments.forEach((fragment, i) => {
          const samples = samplesOf(fragment, track);
          const first = samples[0];
          const base = Math.round((((first?.dtsMs ?? first?.ptsMs ?? 0) + f.offsetMs) * track.timescale) / 1000);
          segments.push(b64(mediaFragment(track, samples, { sequenceNumber: i + 1, baseDecodeTime: base }).bytes));
        });
        const result = await page.evaluate(appendAll, [segments, mime] as const);
        const where = `${f.name} track ${track.trackNumber} (${mime})`;
        assert.ok(result.supported, where);
        assert.deepEqual(result.errors, [], where);
        assert.equal(result.ranges.length, 1, `${where}: one buffered range, ${JSON.stringify(result.ranges)}`);
        const all = f.fragments.flatMap((fr) => samplesOf(fr, track));
        const start = Math.min(...all.map((s) => s.ptsMs)) + f.offsetMs;
        const [from, to] = result.ranges[0] ?? [NaN, NaN];
        assert.ok(Math.abs(from * 1000 - start) < 1.5, `${where}: buffered from ${from}, first pts ${start} ms`);
        assert.ok(to > from + 1.9, `${where}: buffered to ${to}`);
      }
      const codecs = f.tracks.map((t) => codecString(t) ?? '').join(',');
      let counters: Record<number, number> = {};
      const tsSegments = f.fragments.map((fragment) => {
        const out = tsFragment(f.tracks, fragment.samples, { continuityCounters: counters, timeOffsetMs: f.offsetMs });
        counters = out.continuityCounters;
        return b64(out.bytes);
      });
      const ts = await page.evaluate(appendAll, [tsSegments, `video/mp2t; codecs="${codecs}"`] as const);
      if (!ts.supported) continue; // Chromium builds without the MPEG-2 TS parser
      assert.deepEqual(ts.errors, [], `${f.name} TS`);
      assert.equal(ts.ranges.length, 1, `${f.name} TS: one buffered range, ${JSON.stringify(ts.ranges)}`);
      const firstPts = Math.min(...f.fragments.flatMap((fr) => f.tracks.flatMap((t) => samplesOf(fr, t).map((x) => x.ptsMs)))) + f.offsetMs;
      const [from, to] = ts.ranges[0] ?? [NaN, NaN];
      assert.ok(Math.abs(from * 1000 - firstPts) < 50, `${f.name} TS: buffered from ${from}, first pts ${firstPts} ms`);
      assert.ok(to > from + 1.9, `${f.name} TS: buffered to ${to}`);
    }
  } finally {
    await browser.close();
  }
});
