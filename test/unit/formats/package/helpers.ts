// Test helpers for the packaging writers: fixtures read into PackagingTracks and per-cluster samples,
// ffprobe/ffmpeg as the independent judges, temporary files.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource } from '../../../../src/formats/byteSource';
import type { MatroskaFile } from '../../../../src/formats/matroska/model';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { clusterSamples, packagingTrackFromMatroska } from '../../../../src/formats/package';
import type { FragmentSamples, PackagingSample, PackagingTrack } from '../../../../src/formats/package';
export { prng } from '../../../support/random';
export { withTempDir, writeTemp } from '../../../support/tempFiles';

export const ROOT = join(import.meta.dirname, '../../../..');
export const MEDIA = join(ROOT, 'test/fixtures/media');

export const hasFfmpeg = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;

/** The fixtures the packaging is judged on (path relative to the repository). */
export const FIXTURES = [
  'test/fixtures/media/h264-aac.mkv',
  'test/fixtures/media/h264-main-bframes.mkv',
  'test/fixtures/media/h265-main.mkv',
  'test/fixtures/media/h264-alaw.mkv',
  'test/fixtures/media/h264-mulaw.mkv',
  'media/demo.mkv',
];

export interface Loaded {
  name: string;
  path: string;
  bytes: Uint8Array;
  mkv: MatroskaFile;
  tracks: PackagingTrack[];
  /** One per cluster. */
  fragments: FragmentSamples[];
  /**
   * Milliseconds added to every time so that no decode time is negative: a fixture with B-frames
   * starts at PTS 0, so its first DTS is one or two frames below 0 (KVS times are epoch ms).
   */
  offsetMs: number;
}

const loaded = new Map<string, Loaded>();

export function load(path: string): Loaded {
  const cached = loaded.get(path);
  if (cached) return cached;
  const full = join(ROOT, path);
  const bytes = new Uint8Array(readFileSync(full));
  const mkv = readMatroska(bytesSource(bytes));
  const segment = mkv.documents[0]?.segments[0];
  if (!segment) throw new Error(`${path}: no segment`);
  const tracks: PackagingTrack[] = [];
  for (const t of segment.tracks) {
    const { track, issues } = packagingTrackFromMatroska(t);
    if (issues.length > 0) throw new Error(`${path}: ${JSON.stringify(issues)}`);
    if (track) tracks.push(track);
  }
  const fragments = mkv.clusters.map((_, i) => clusterSamples(bytes, mkv, i, tracks));
  let minDts = 0;
  for (const f of fragments) for (const list of f.samples.values()) for (const s of list) minDts = Math.min(minDts, s.dtsMs ?? s.ptsMs);
  const result: Loaded = { name: path.split('/').pop() ?? path, path: full, bytes, mkv, tracks, fragments, offsetMs: minDts < 0 ? 1000 : 0 };
  loaded.set(path, result);
  return result;
}

export function samplesOf(fragment: FragmentSamples, track: PackagingTrack): PackagingSample[] {
  return fragment.samples.get(track.trackNumber) ?? [];
}

export interface ProbeStream {
  index: number;
  codec_name: string;
  codec_tag_string: string;
  codec_type: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  time_base: string;
}

export interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  pts_time?: string;
  dts_time?: string;
  size: string;
  flags: string;
}

export interface Probe {
  streams: ProbeStream[];
  packets: ProbePacket[];
}

/** `ffprobe -show_streams -show_packets -of json` (with `-f format` when given). */
export function ffprobe(path: string, format?: string): Probe {
  const args = ['-v', 'error', ...(format ? ['-f', format] : []), '-show_streams', '-show_packets', '-of', 'json', path];
  const probe = JSON.parse(execFileSync('ffprobe', args, { maxBuffer: 256 * 1024 * 1024 }).toString('utf8')) as Probe;
  probe.streams ??= [];
  probe.packets ??= [];
  return probe;
}

/** ffmpeg's complaints while decoding the whole file (empty when it decodes cleanly). */
export function decodeErrors(path: string, format?: string): string {
  const result = spawnSync('ffmpeg', ['-v', 'error', ...(format ? ['-f', format] : []), '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  return `${result.status === 0 ? '' : `exit ${result.status}\n`}${result.stderr}`;
}

export function packetsOfType(probe: Probe, type: string): ProbePacket[] {
  const stream = probe.streams.find((s) => s.codec_type === type);
  return stream ? probe.packets.filter((p) => p.stream_index === stream.index) : [];
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

