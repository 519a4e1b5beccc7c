// btrt, pasp, trex and mehd values, judged by mp4box.js reading the same bytes: as ffmpeg wrote them,
// and with distinct values patched in (ffmpeg writes 1:1 pixels, zero trex defaults and no mehd).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff } from '../../../../src/formats/isobmff';
import { ascii, concat, fixture, fullBox, u32 } from './helpers';

interface Mp4BoxEntry {
  btrt?: { bufferSizeDB: number; maxBitrate: number; avgBitrate: number };
  pasp?: { hSpacing: number; vSpacing: number };
}
interface Mp4BoxMovie {
  traks: { tkhd: { track_id: number }; mdia: { minf: { stbl: { stsd: { entries: Mp4BoxEntry[] } } } } }[];
  mvex?: {
    mehd?: { fragment_duration: number };
    trexs: { track_id: number; default_sample_description_index: number; default_sample_duration: number; default_sample_size: number; default_sample_flags: number }[];
  };
}

/** The moov as mp4box.js reads it. */
function mp4boxMovie(bytes: Uint8Array): Mp4BoxMovie {
  const file = createFile(false);
  const buffer = bytes.slice().buffer;
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(buffer, 0));
  file.flush();
  return file.moov as unknown as Mp4BoxMovie;
}

function find(bytes: Uint8Array, type: string, from = 0): number {
  const name = ascii(type);
  for (let i = from + 4; i + 4 <= bytes.length; i++) if (name.every((c, k) => bytes[i + k] === c)) return i - 4;
  return -1;
}

function setU32(bytes: Uint8Array, at: number, value: number): void {
  bytes.set(u32(value), at);
}

test('btrt and pasp of a plain MP4 are the values mp4box.js reads', () => {
  const bytes = fixture('h264-aac.mp4');
  const ours = readIsoBmff(bytesSource(bytes)).tracks;
  const theirs = mp4boxMovie(bytes).traks;
  assert.equal(ours.length, theirs.length);
  let withBitRate = 0;
  for (const [index, trak] of theirs.entries()) {
    const entry = trak.mdia.minf.stbl.stsd.entries[0];
    const track = ours[index];
    assert.equal(track?.id, trak.tkhd.track_id);
    assert.deepEqual(track?.bitRate, entry?.btrt && { bufferSizeDB: entry.btrt.bufferSizeDB, maxBitrate: entry.btrt.maxBitrate, avgBitrate: entry.btrt.avgBitrate });
    assert.deepEqual(track?.pixelAspectRatio, entry?.pasp && { hSpacing: entry.pasp.hSpacing, vSpacing: entry.pasp.vSpacing });
    if (track?.bitRate) withBitRate++;
  }
  assert.equal(withBitRate, 2, 'ffmpeg wrote a btrt for both tracks');
});

test('trex defaults, a 64-bit mehd and a 4:3 pasp are the values written and the values mp4box.js reads', () => {
  const original = fixture('h264-aac-frag.mp4');
  // A version-1 mehd (fragment_duration beyond 32 bits) at the start of mvex; moov and mvex grow by its size.
  const fragmentDuration = 2 ** 33 + 12_345;
  const mehd = fullBox('mehd', 1, 0, u32(Math.floor(fragmentDuration / 2 ** 32)), u32(fragmentDuration % 2 ** 32));
  const moov = find(original, 'moov');
  const mvex = find(original, 'mvex', moov);
  assert.ok(moov >= 0 && mvex > moov);
  const bytes = concat(original.subarray(0, mvex + 8), mehd, original.subarray(mvex + 8));
  const view = new DataView(bytes.buffer);
  setU32(bytes, moov, view.getUint32(moov) + mehd.length);
  setU32(bytes, mvex, view.getUint32(mvex) + mehd.length);
  // Distinct trex defaults per track: sample description index, duration, size, flags.
  const written = new Map<number, number[]>();
  for (let at = find(bytes, 'trex', mvex); at >= 0; at = find(bytes, 'trex', at + 8)) {
    const trackId = view.getUint32(at + 12);
    const values = [1, 1000 + trackId, 2000 + trackId, 0x01010000 + trackId];
    values.forEach((value, k) => setU32(bytes, at + 16 + 4 * k, value));
    written.set(trackId, values);
  }
  assert.equal(written.size, 2);
  const pasp = find(bytes, 'pasp', moov);
  setU32(bytes, pasp + 8, 4);
  setU32(bytes, pasp + 12, 3);

  const file = readIsoBmff(bytesSource(bytes));
  const theirs = mp4boxMovie(bytes);
  assert.equal(file.movie?.fragmentDuration, fragmentDuration);
  assert.equal(theirs.mvex?.mehd?.fragment_duration, fragmentDuration);
  for (const trex of theirs.mvex?.trexs ?? []) {
    const values = [trex.default_sample_description_index, trex.default_sample_duration, trex.default_sample_size, trex.default_sample_flags];
    assert.deepEqual(values, written.get(trex.track_id));
    const defaults = file.tracks.find((track) => track.id === trex.track_id)?.defaults;
    assert.deepEqual(defaults && [defaults.defaultSampleDescriptionIndex, defaults.defaultSampleDuration, defaults.defaultSampleSize, defaults.defaultSampleFlags], values);
  }
  const video = file.tracks.find((track) => track.kind === 'video');
  assert.deepEqual(video?.pixelAspectRatio, { hSpacing: 4, vSpacing: 3 });
  const theirPasp = theirs.traks[0]?.mdia.minf.stbl.stsd.entries[0]?.pasp;
  assert.deepEqual([theirPasp?.hSpacing, theirPasp?.vSpacing], [4, 3]);
});
