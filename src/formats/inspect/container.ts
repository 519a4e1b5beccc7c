// What a container reader hands to the shared inspection steps (frame analysis, KVS checks).
import type { ExpectedFraming, ParameterSetReference } from '../codecs';
import type { InspectionReport } from './report';

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

export interface ContainerInspection {
  report: InspectionReport;
  videoTracks: VideoTrackContext[];
  /** The bytes of frame `index` of the report's frame table, when they are not one contiguous range (MPEG-TS). */
  readFrame?: (index: number) => Uint8Array;
  /** Where byte `at` of what readFrame(index) returns is in the input (-1 outside the frame). */
  frameByteOffset?: (index: number, at: number) => number;
}
