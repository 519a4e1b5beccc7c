// The input model of the packaging writers: tracks and samples independent of Matroska.
import type { Issue } from '../issues';

export type PackagingCodec = 'h264' | 'h265' | 'aac' | 'alaw' | 'mulaw';

/**
 * One track to package. `packagingTrackFromMatroska` builds it from a Matroska TrackEntry; tests and
 * other containers can build it by hand (`packagingTrack` fills in what the codec private data says).
 */
export interface PackagingTrack {
  /** The KVS TrackNumber (Matroska TrackNumber): the MP4 track_ID and the TrackNumber URL parameter. */
  trackNumber: number;
  kind: 'video' | 'audio';
  codec: PackagingCodec;
  /**
   * As stored in Matroska CodecPrivate: an AVCDecoderConfigurationRecord (h264), an
   * HEVCDecoderConfigurationRecord (h265), an AudioSpecificConfig (aac); WAVEFORMATEX or empty for G.711.
   */
  codecPrivate: Uint8Array;
  /**
   * Ticks per second of the MP4 media timeline (mdhd, tfdt, trun): 90000 for video (exact for
   * millisecond input, and the MPEG-TS clock), the sample rate for audio (AAC frames are then exactly
   * 1024 ticks). MPEG-TS always uses 90 kHz whatever this says.
   */
  timescale: number;
  /** Video: the display (cropped) size from the SPS, else the Matroska PixelWidth/PixelHeight. */
  width?: number;
  height?: number;
  /** Video: sample aspect ratio from the SPS VUI, when not 1:1. */
  sampleAspectRatio?: [number, number];
  /** Audio: Hz (for AAC the AudioSpecificConfig's core rate). */
  sampleRate?: number;
  channels?: number;
  /**
   * Nominal duration of one frame in ms: Matroska DefaultDuration or the SPS frame rate (video), one AAC
   * frame (1024 samples). Used for the last frame of a fragment when nothing else tells its duration.
   */
  frameDurationMs?: number;
  /** Video: bytes of each NAL unit's length prefix (lengthSizeMinusOne + 1 of the record); 4 when unknown. */
  nalLengthSize?: number;
}

/**
 * One access unit (video frame) or audio frame. Times are in milliseconds and may be fractional (the
 * Matroska reader snaps audio frames onto their exact sample grid). Samples of a track are given in
 * decode order.
 */
export interface PackagingSample {
  /** Decode time; the same as ptsMs when absent. */
  dtsMs?: number;
  ptsMs: number;
  /** Decode duration: the next sample's DTS minus this one's, for the last sample of a fragment its own. */
  durationMs: number;
  keyframe: boolean;
  /** Video: NAL units with length prefixes (nalLengthSize bytes) as stored in MKV/MP4. Audio: one raw AAC frame, or G.711 bytes. */
  data: Uint8Array;
}

/**
 * What a writer returns. Writers do not throw on bad tracks or samples: they write what they can and
 * say what was wrong in `issues` (codes `PACKAGE_*`; `offset` is the index of the sample concerned in
 * its track's list, 0 for track-level issues).
 */
export interface PackagedBytes {
  bytes: Uint8Array;
  issues: Issue[];
}
