// PutMedia bodies from files (kvs-put): an MKV streamed from disk as it is, or an MP4 remuxed to MKV
// cluster by cluster. Either can be paced in real time: each Cluster goes out when its timecode
// (relative to the first) is due, as a camera would send it.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { sniffFormat } from '../../formats/inspect/sniff';
import type { Issue } from '../../formats/issues';
import { readMatroska } from '../../formats/matroska/readMatroska';
import { remuxMp4ToMkv } from '../../formats/remux';
import { FileSource } from '../../io/fileSource';
import type { FragmentTimecodeType } from './putMedia';

/** Cluster timecodes at or above this (ms, 2001-09-09) are taken for producer timestamps: ABSOLUTE. */
export const ABSOLUTE_TIMECODE_THRESHOLD_MS = 1e12;
const READ_PIECE = 1024 * 1024;
const FILE_CHUNK = 64 * 1024;

export interface BodyOptions {
  /** Send each Cluster when its timecode is due (relative to the first), instead of as fast as possible. */
  realtime?: boolean;
  /** Stops a paced body between clusters. */
  signal?: AbortSignal;
  /** Clock for pacing (ms); default performance.now. */
  now?: () => number;
}

export interface FileUpload {
  format: 'matroska' | 'mp4';
  /** Clusters in the body: the fragments KVS should acknowledge. */
  fragmentCount: number;
  /** From the first to the last cluster start plus the last cluster's length, in ms (approximate for MKV). */
  durationMs: number;
  /** Timecode of the first cluster (ms), when there is one. */
  firstTimecodeMs: number | undefined;
  /** ABSOLUTE when the clusters carry epoch timestamps, else RELATIVE. */
  timecodeType: FragmentTimecodeType;
  /** KVS MediaType for CreateStream ("video/h264,audio/aac"), when every track is a known codec. */
  mediaType: string | undefined;
  /** Remux findings (MP4); MKV bytes are sent as they are, KVS judges them. */
  issues: Issue[];
  /** A fresh body each call. */
  body(options?: BodyOptions): AsyncIterable<Uint8Array>;
  close(): void;
}

/** Opens `path` for upload: MKV/WebM as is, MP4 (plain or fragmented) through the remuxer. */
export function openFileUpload(path: string): FileUpload {
  const source = new FileSource(path);
  try {
    const format = sniffFormat(source);
    if (format === 'matroska') return matroskaUpload(path, source);
    if (format === 'isobmff') return mp4Upload(source);
    throw new Error(format === 'mpeg-ts' ? 'MPEG-TS is not supported: remux it to MKV or MP4 first (ffmpeg -i in.ts -c copy out.mkv)' : 'not an MKV or MP4 file');
  } catch (error) {
    source.close();
    throw error;
  }
}

interface Unit {
  start: number;
  end: number;
  /** ms after the first cluster. */
  dueMs: number;
}

function matroskaUpload(path: string, source: FileSource): FileUpload {
  const file = readMatroska(source, { blocks: false });
  const clusters = file.clusters;
  source.close();
  const segment = file.documents[0]?.segments[0];
  const firstMs = clusters.find((c) => c.timeMs !== null)?.timeMs ?? undefined;
  // Byte ranges: the header, then each cluster up to the next one (Tags between clusters travel with
  // the cluster before them), the last one up to the end of the file.
  const units: Unit[] = [];
  const headerEnd = clusters[0]?.offset ?? source.size;
  units.push({ start: 0, end: headerEnd, dueMs: 0 });
  let due = 0;
  clusters.forEach((cluster, i) => {
    if (cluster.timeMs !== null && firstMs !== undefined) due = Math.max(due, cluster.timeMs - firstMs);
    units.push({ start: cluster.offset, end: clusters[i + 1]?.offset ?? source.size, dueMs: due });
  });
  // The last cluster lasts about as long as the average one.
  const lastStep = clusters.length >= 2 ? due / (clusters.length - 1) : 0;
  return {
    format: 'matroska',
    fragmentCount: clusters.length,
    durationMs: due + lastStep,
    firstTimecodeMs: firstMs,
    timecodeType: firstMs !== undefined && firstMs >= ABSOLUTE_TIMECODE_THRESHOLD_MS ? 'ABSOLUTE' : 'RELATIVE',
    mediaType: mediaTypeOf(segment?.tracks.map((t) => t.codecId) ?? []),
    issues: [],
    body(options = {}) {
      return options.realtime === true ? pacedRanges(path, units, due + lastStep, options) : fileChunks(path);
    },
    close() {
      // The file is reopened by each body.
    },
  };
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: FILE_CHUNK });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}

async function* pacedRanges(path: string, units: readonly Unit[], durationMs: number, options: BodyOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const now = options.now ?? (() => performance.now());
  const handle = await open(path, 'r');
  try {
    const started = now();
    for (const unit of units) {
      await sleepUntil(started + unit.dueMs, now, options.signal);
      for (let at = unit.start; at < unit.end; ) {
        const piece = new Uint8Array(Math.min(READ_PIECE, unit.end - at));
        const { bytesRead } = await handle.read(piece, 0, piece.length, at);
        if (bytesRead === 0) return;
        at += bytesRead;
        yield piece.subarray(0, bytesRead);
      }
    }
    // Like a camera, the upload ends when the last frame has been shown, not when it was sent.
    await sleepUntil(started + durationMs, now, options.signal);
  } finally {
    await handle.close();
  }
}

function mp4Upload(source: FileSource): FileUpload {
  const remux = remuxMp4ToMkv(source, { muxingApp: 'kvs-put', writingApp: 'kvs-put' });
  return {
    format: 'mp4',
    fragmentCount: remux.clusterCount,
    durationMs: remux.durationMs,
    firstTimecodeMs: remux.clusterCount > 0 ? 0 : undefined,
    timecodeType: 'RELATIVE',
    mediaType: mediaTypeOf(remux.tracks.map((t) => t.codecId)),
    issues: remux.issues,
    body(options = {}) {
      const realtime = options.realtime === true;
      const now = options.now ?? (() => performance.now());
      return (async function* () {
        const started = now();
        let first: number | undefined;
        yield remux.header;
        for (const cluster of remux.clusters()) {
          first ??= cluster.timecode;
          if (realtime) await sleepUntil(started + (cluster.timecode - first), now, options.signal);
          yield cluster.bytes;
        }
        if (realtime && first !== undefined) await sleepUntil(started + remux.durationMs - first, now, options.signal);
      })();
    },
    close() {
      source.close();
    },
  };
}

/** Waits until now() reaches `dueMs` (no wait when it has); rejects when `signal` aborts. */
export async function sleepUntil(dueMs: number, now: () => number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const wait = dueMs - now();
  if (wait > 0) await sleep(wait, undefined, signal === undefined ? {} : { signal });
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  'V_MPEG4/ISO/AVC': 'video/h264',
  'V_MPEG/ISO/AVC': 'video/h264',
  'V_MPEGH/ISO/HEVC': 'video/h265',
  A_AAC: 'audio/aac',
};

/** KVS MediaType for the codec ids ("video/h264,audio/aac"), undefined when one is not known. */
export function mediaTypeOf(codecIds: readonly string[]): string | undefined {
  const types = codecIds.map((id) => MEDIA_TYPES[id] ?? (id.startsWith('A_AAC') ? 'audio/aac' : undefined));
  if (types.length === 0 || types.some((t) => t === undefined)) return undefined;
  return types.join(',');
}
