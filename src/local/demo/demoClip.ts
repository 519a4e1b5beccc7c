// The demo clip in memory, ready to be re-timed: a live stream header (EBML header, Segment of unknown
// size, Info without Duration, the clip's Tracks) and each cluster's blocks with their payloads,
// relative timecodes and flags, so a cluster can be written again at any timecode.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BlockSpec } from '../../formats/matroska/write';
import { concatBytes, ebmlHeader, infoElement, segmentStart, splitProducerHeader } from '../../formats/matroska/write';
import { BlockFlag, Lacing } from '../../formats/matroska/blockTable';
import { readMatroska } from '../../formats/matroska/readMatroska';
import { FileSource } from '../../io/fileSource';

export interface DemoCluster {
  /** Start of the cluster after the clip's first cluster, in ms. */
  offsetMs: number;
  /** The blocks, relative timecodes in ms (TimestampScale 1 ms). */
  blocks: BlockSpec[];
  /** From the cluster start to the end of its last frame, in ms. */
  spanMs: number;
}

export interface DemoClip {
  /** EBML header + Segment (unknown size) + Info (1 ms ticks) + Tracks. */
  header: Uint8Array;
  clusters: DemoCluster[];
  /** Length of one pass: the clip loops every periodMs without overlapping itself. */
  periodMs: number;
  /** Track numbers of the clip. */
  trackNumbers: number[];
}

const WRITING_APP = 'Kinesis Video Inspector demo producer';

/** Reads an MKV clip (SimpleBlocks or Blocks, no lacing) into memory. Throws when it cannot be used. */
export function loadDemoClip(path: string): DemoClip {
  const source = new FileSource(path);
  try {
    const file = readMatroska(source);
    const segment = file.documents[0]?.segments[0];
    const first = file.clusters[0];
    if (segment === undefined || first === undefined) throw new Error(`demo clip ${path} has no Matroska segment with clusters`);
    const scale = segment.info.timestampScale;
    const tracks = splitProducerHeader(source.read(0, first.offset).slice())?.tracks;
    if (tracks === undefined) throw new Error(`demo clip ${path} has no Tracks before its first cluster`);
    const header = concatBytes([
      ebmlHeader(),
      segmentStart(1),
      infoElement({ timestampScale: 1_000_000, muxingApp: WRITING_APP, writingApp: WRITING_APP, title: 'KVS Local demo' }),
      tracks,
    ]);

    const table = file.blocks;
    const firstMs = first.timeMs ?? 0;
    const lastByTrack = new Map<number, number>();
    const spacingByTrack = new Map<number, number>();
    const clusters: DemoCluster[] = [];
    for (const cluster of file.clusters.slice(0, segment.clusterCount)) {
      const clusterMs = cluster.timeMs ?? firstMs;
      const blocks: BlockSpec[] = [];
      let spanMs = 0;
      for (let i = cluster.firstBlock; i < cluster.endBlock; i++) {
        if ((table.lacing[i] ?? 0) !== Lacing.None) throw new Error(`demo clip ${path}: laced blocks are not supported`);
        const track = table.track[i] ?? 0;
        const flags = table.flags[i] ?? 0;
        const relativeTimecode = Math.round(((table.relativeTimecode[i] ?? 0) * scale) / 1_000_000);
        const data = source.read(table.payloadOffset[i] ?? 0, table.payloadSize[i] ?? 0).slice();
        blocks.push({
          track,
          relativeTimecode,
          keyframe: (flags & BlockFlag.Key) !== 0,
          invisible: (flags & BlockFlag.Invisible) !== 0,
          discardable: (flags & BlockFlag.Discardable) !== 0,
          data,
        });
        const at = clusterMs - firstMs + relativeTimecode;
        const previous = lastByTrack.get(track);
        if (previous !== undefined && at > previous) spacingByTrack.set(track, at - previous);
        lastByTrack.set(track, at);
        spanMs = Math.max(spanMs, relativeTimecode);
      }
      if (blocks.length === 0) continue;
      clusters.push({ offsetMs: Math.round(clusterMs - firstMs), blocks, spanMs });
    }
    if (clusters.length === 0) throw new Error(`demo clip ${path} has no blocks`);
    // A frame lasts until the next one of its track; the last one as long as the one before it.
    let periodMs = 0;
    for (const [track, last] of lastByTrack) periodMs = Math.max(periodMs, last + (spacingByTrack.get(track) ?? 0));
    for (const cluster of clusters) {
      const frame = Math.max(0, ...cluster.blocks.map((b) => spacingByTrack.get(b.track) ?? 0));
      cluster.spanMs += frame;
    }
    return { header, clusters, periodMs: Math.max(1, Math.ceil(periodMs)), trackNumbers: [...lastByTrack.keys()].sort((a, b) => a - b) };
  } finally {
    source.close();
  }
}

/**
 * Where media/demo.mkv is: next to the running bundle (dist/cli/kvs-local.js or dist/extension.js in
 * the package) or in the source tree (tsx runs of src/local/demo). Throws when it is in neither.
 */
export function defaultDemoClipPath(from: string = __dirname): string {
  const candidates = [
    resolve(from, '..', '..', 'media', 'demo.mkv'), // dist/cli → media
    resolve(from, '..', 'media', 'demo.mkv'), // dist → media
    resolve(from, '..', '..', '..', 'media', 'demo.mkv'), // src/local/demo → media
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`The demo clip media/demo.mkv was not found (looked in ${[...new Set(candidates.map((c) => join(c, '..')))].join(', ')}).`);
  return found;
}
