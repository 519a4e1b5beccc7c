// Test helpers for the Matroska writer, the PutMedia splitter and the remuxer: frames and track headers
// taken from a fixture with readMatroska, streams written the way KVS producers write them, ffprobe.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readBlockFrames } from '../../../../src/formats/matroska/blockFrames';
import { BlockFlag } from '../../../../src/formats/matroska/blockTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import type { BlockSpec, ClusterOptions, TrackSpec } from '../../../../src/formats/matroska/write';
import { clusterElement, concatBytes, ebmlHeader, infoElement, kvsTagsElement, segmentStart, tracksElement } from '../../../../src/formats/matroska/write';
export { prng } from '../../../support/random';
export { withTempDir, writeTemp } from '../../../support/tempFiles';

export const MEDIA = join(import.meta.dirname, '../../../fixtures/media');

export const hasFfprobe = spawnSync('ffprobe', ['-version']).status === 0;

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(MEDIA, name)));
}

export interface Frame {
  track: number;
  /** Absolute time in ms. */
  timeMs: number;
  key: boolean;
  data: Uint8Array;
}

/** Track headers and every frame (in stored order) of an MKV fixture. */
export function framesOf(name: string): { tracks: TrackSpec[]; frames: Frame[] } {
  return framesOfMkv(fixture(name), name);
}

/** Track headers and every frame (in stored order) of MKV bytes (`name` for errors). */
export function framesOfMkv(bytes: Uint8Array, name = 'MKV'): { tracks: TrackSpec[]; frames: Frame[] } {
  const source = bytesSource(bytes);
  const mkv = readMatroska(source);
  const segment = mkv.documents[0]?.segments[0];
  if (!segment) throw new Error(`${name}: no segment`);
  const tracks: TrackSpec[] = segment.tracks.map((t) => {
    const spec: TrackSpec = { number: t.number, uid: BigInt(t.uid ?? t.number), type: t.type === 2 ? 2 : 1, codecId: t.codecId };
    if (t.codecPrivate?.bytes) spec.codecPrivate = t.codecPrivate.bytes;
    if (t.video?.pixelWidth !== undefined && t.video.pixelHeight !== undefined) spec.video = { width: t.video.pixelWidth, height: t.video.pixelHeight };
    if (t.audio) spec.audio = { samplingFrequency: t.audio.samplingFrequency, channels: t.audio.channels, ...(t.audio.bitDepth === undefined ? {} : { bitDepth: t.audio.bitDepth }) };
    if (t.defaultDurationNs !== undefined) spec.defaultDurationNs = t.defaultDurationNs;
    return spec;
  });
  const frames: Frame[] = [];
  const table = mkv.blocks;
  for (let i = 0; i < table.count; i++) {
    for (const frame of readBlockFrames(source, table, i)) {
      frames.push({
        track: table.track[i] ?? 0,
        timeMs: table.timeMs[i] ?? 0,
        key: ((table.flags[i] ?? 0) & BlockFlag.Key) !== 0,
        data: bytes.slice(frame.offset, frame.offset + frame.size),
      });
    }
  }
  return { tracks, frames };
}

export interface ClusterPlan {
  timecode: number;
  blocks: BlockSpec[];
}

/** A cluster at every key frame of `videoTrack` (or every `everyMs` without one), blocks relative to it. */
export function planClusters(frames: readonly Frame[], videoTrack: number | undefined, everyMs = 1000): ClusterPlan[] {
  const clusters: ClusterPlan[] = [];
  let current: ClusterPlan | undefined;
  for (const frame of frames) {
    const starts = videoTrack === undefined ? !current || frame.timeMs - current.timecode >= everyMs : frame.track === videoTrack && frame.key;
    if (starts || !current) {
      current = { timecode: Math.round(frame.timeMs), blocks: [] };
      clusters.push(current);
    }
    current.blocks.push({ track: frame.track, relativeTimecode: Math.round(frame.timeMs) - current.timecode, keyframe: frame.key, data: frame.data });
  }
  return clusters;
}

export interface ProducerStreamOptions {
  /** Segment size field: 1 (FF, producer SDK) or 8 bytes; default 1. */
  segmentSizeWidth?: 1 | 8;
  /** Clusters of unknown size (default true, as producers write them). */
  unknownSizeClusters?: boolean;
  /** Width of the clusters' unknown size: 1 (FF, default) or 8. */
  clusterSizeWidth?: 1 | 8;
  /** Producer Tags after every n-th cluster (0: none). */
  tagsEvery?: number;
  /** Put a Void before Info and after Tracks. */
  voids?: boolean;
  /** AWS_KINESISVIDEO_END_OF_FRAGMENT Tags after every cluster, as the producer SDK closes a fragment with an end-of-fragment frame. */
  endOfFragmentTags?: boolean;
}

/** A PutMedia body as the KVS producer SDK writes it (research §3.1). */
export function producerStream(tracks: readonly TrackSpec[], clusters: readonly ClusterPlan[], options: ProducerStreamOptions = {}): Uint8Array {
  const unknown = options.unknownSizeClusters ?? true;
  const clusterOptions: ClusterOptions = unknown ? { unknownSize: true, sizeWidth: options.clusterSizeWidth ?? 1, timecodeLength: 8, blockSizeWidth: 8 } : {};
  const uid = new Uint8Array(16).map((_, i) => i + 1);
  const voidElement = new Uint8Array([0xec, 0x84, 0, 0, 0, 0]);
  const parts: Uint8Array[] = [
    ebmlHeader(),
    segmentStart(options.segmentSizeWidth ?? 1),
    ...(options.voids ? [voidElement] : []),
    infoElement({ timestampScale: 1_000_000, muxingApp: 'test producer', writingApp: 'test producer', segmentUid: uid }),
    tracksElement(tracks),
    ...(options.voids ? [voidElement] : []),
  ];
  clusters.forEach((cluster, i) => {
    parts.push(clusterElement(cluster.timecode, cluster.blocks, clusterOptions));
    if (options.tagsEvery && (i + 1) % options.tagsEvery === 0) parts.push(kvsTagsElement([['FRAGMENT_INDEX', String(i)]], { sizeWidth: 8 }));
    if (options.endOfFragmentTags) parts.push(kvsTagsElement([['AWS_KINESISVIDEO_END_OF_FRAGMENT', '']], { sizeWidth: 8 }));
  });
  return concatBytes(parts);
}

export interface ProbePacket {
  stream_index: number;
  codec_type?: string;
  pts?: number;
  pts_time?: string;
  flags: string;
  size: string;
}

export interface ProbeResult {
  streams: { index: number; codec_name: string; codec_type: string; nb_read_frames?: string; width?: number; height?: number }[];
  packets: ProbePacket[];
}

/** `ffprobe -show_streams -show_packets` (and `-count_frames` when asked) as JSON. */
export function ffprobe(path: string, countFrames = false): ProbeResult {
  const args = ['-v', 'error', '-show_streams', '-show_packets', ...(countFrames ? ['-count_frames'] : []), '-of', 'json', path];
  const out = execFileSync('ffprobe', args, { maxBuffer: 256 << 20 }).toString('utf8');
  const probe = JSON.parse(out) as Partial<ProbeResult>;
  return { streams: probe.streams ?? [], packets: probe.packets ?? [] };
}

/** Cluster timestamps (ms) as `mkvinfo` prints them, for clusters of known and unknown size. */
export function mkvinfoClusterTimestamps(path: string): number[] {
  const text = execFileSync('mkvinfo', ['-a', '-z', path], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const out: number[] = [];
  for (const match of text.matchAll(/Cluster timestamp: (\d+):(\d+):(\d+)\.(\d{9})/g)) {
    const [, h, m, sec, ns] = match;
    out.push(((Number(h) * 60 + Number(m)) * 60 + Number(sec)) * 1000 + Number(ns) / 1e6);
  }
  return out;
}

