// What a container reader hands to the shared inspection steps (frame analysis, KVS checks).
import type { ExpectedFraming, ParameterSetReference } from '../codecs';
import type { Payload } from '../isobmff/mdatPayloads';
import type { InspectionReport, TrackReport } from './report';

export interface VideoTrackContext {
  number: number;
  codec: 'h264' | 'h265';
  /** How the container says frames are framed: avcC/hvcC length size, or Annex-B (MPEG-TS). */
  expected: ExpectedFraming;
  /** False when no avcC/hvcC could be read: `expected` is then the 4-byte lengths KVS needs. */
  declared?: boolean;
  reference?: ParameterSetReference;
  /**
   * Set when the track is declared otherwise further on (a later Matroska segment or moov): whether the
   * frames of fragment `fragment` (an index of the report's fragments) follow this declaration. Unset:
   * every frame does.
   */
  coversFragment?: (fragment: number) => boolean;
}

/**
 * A declaration of a track further on (a later Matroska segment or moov) that brings a codec its earlier
 * declarations do not have: the report's track is the first declaration, and what the checks judge of a
 * codec they judge of this one too.
 */
export interface LaterDeclaration extends Pick<TrackReport, 'number' | 'kind' | 'codecId' | 'codecName' | 'family'> {
  /** Its codec private data, or the declaration. */
  offset: number;
  /** Which fragments follow it and where it is, for messages (see declarationScope). */
  scope: string;
}

/** The track numbers the header in force for fragment `fragment` (an index of the report's fragments) declares. */
export type DeclaredTracks = (fragment: number) => readonly number[];

export interface ContainerInspection {
  report: InspectionReport;
  videoTracks: VideoTrackContext[];
  /**
   * Set where the fragments and the tracks they declare are what a producer sends with PutMedia
   * (Matroska), which wants a frame of every declared track in each. MP4 and MPEG-TS reach KVS remuxed,
   * with clusters cut by time and tracks the producer chooses; their file-order fragments may hold a
   * GOP's audio in a neighbour (MP4 chunks, TS PES of several frames). A hole in a track still shows as
   * a gap on its timeline there.
   */
  declaredTracks?: DeclaredTracks;
  /** The tracks' later declarations that bring another codec (the report's tracks are the first ones). */
  laterDeclarations?: readonly LaterDeclaration[];
  /** The bytes of frame `index` of the report's frame table, when they are not one contiguous range (MPEG-TS). */
  readFrame?: (index: number) => Uint8Array;
  /** Where byte `at` of what readFrame(index) returns is in the input (-1 outside the frame). */
  frameByteOffset?: (index: number, at: number) => number;
  /** An MP4's mdat payloads, in file order: a frame outside them is whatever bytes its sample offsets point at. */
  mediaData?: readonly Payload[];
}
