// What the PutMedia splitter reports: the stream header, each fragment (one Cluster), producer Tags, and
// errors named as KVS names them in ERROR acknowledgements (research §1.8).
import type { AudioSettings, VideoSettings } from '../model';

/** ErrorIds of the PutMedia ERROR acknowledgements the splitter can cause. */
export const IngestErrorId = {
  STREAM_READ_ERROR: 4000,
  MAX_FRAGMENT_SIZE_REACHED: 4001,
  MORE_THAN_ALLOWED_TRACKS_FOUND: 4005,
  INVALID_MKV_DATA: 4006,
} as const;
export type IngestErrorCode = keyof typeof IngestErrorId;

export interface IngestTrack {
  number: number;
  /** TrackUID as a decimal string. */
  uid?: string;
  /** TrackType: 1 video, 2 audio, … (0 when missing). */
  type: number;
  codecId: string;
  /** A view into the header event's bytes. */
  codecPrivate?: Uint8Array;
  name?: string;
  defaultDurationNs?: number;
  video?: VideoSettings;
  audio?: AudioSettings;
}

/** EBML header + Segment start + Info + Tracks are complete (again after a new EBML header or Segment). */
export interface HeaderEvent {
  type: 'header';
  /** Stream offset of the EBML header. */
  offset: number;
  /** EBML header, Segment start, Info and Tracks as sent (other elements between them left out). */
  bytes: Uint8Array;
  docType: string;
  tracks: IngestTrack[];
  /** Nanoseconds per tick (default 1,000,000). */
  timestampScale: number;
}

/** A complete Cluster: one KVS fragment. Times in milliseconds are ticks × TimestampScale / 10^6. */
export interface FragmentEvent {
  type: 'fragment';
  /** Stream offset of the Cluster. */
  offset: number;
  /** The Cluster element; one of unknown size is re-encoded with its known size. */
  cluster: Uint8Array;
  /** Cluster Timestamp as sent, in ticks (the FragmentTimecode of the acknowledgements). */
  timecode: number;
  timecodeMs: number;
  /** Earliest and latest absolute block times. */
  startMs: number;
  endMs: number;
  /** endMs − startMs plus one frame's duration (BlockDuration, DefaultDuration or the track's frame spacing). */
  durationMs: number;
  /** The first block is a key frame (a SimpleBlock with the key flag, or a Block without ReferenceBlock). */
  keyframeFirst: boolean;
  /** Track numbers that have blocks, ascending. */
  tracks: number[];
  /** Track numbers of blocks that the header's Tracks does not declare. */
  undeclaredTracks: number[];
  /** SimpleBlocks and Blocks. */
  blockCount: number;
}

/** Producer Tags between clusters (fragment metadata). */
export interface TagsEvent {
  type: 'tags';
  offset: number;
  bytes: Uint8Array;
  /** SimpleTag names and string values (nested SimpleTags flattened, in order; binary values are ''). */
  tags: [string, string][];
}

export interface ErrorEvent {
  type: 'error';
  errorCode: IngestErrorCode;
  errorId: number;
  /** Stream offset where the problem is. */
  offset: number;
  message: string;
  /** The splitter stopped: everything pushed after this is ignored. Else only the fragment at `offset` was dropped. */
  fatal: boolean;
  /** Timestamp of the Cluster concerned, when known (ticks). */
  timecode?: number;
}

export type IngestEvent = HeaderEvent | FragmentEvent | TagsEvent | ErrorEvent;
