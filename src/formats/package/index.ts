/**
 * Packaging of stored KVS fragments (Matroska clusters) as HLS/DASH serve them: fragmented MP4 init
 * segments and media fragments, MPEG-TS fragments. Pure: no I/O, no Node built-ins.
 */
export type { PackagedBytes, PackagingCodec, PackagingSample, PackagingTrack } from './types';
export { codecString, packagingTrack, packagingTrackFromMatroska, trackConfig, VIDEO_TIMESCALE } from './tracks';
export type { PackagingTrackHints, TrackConfig } from './tracks';
export { clusterSamples, fragmentSamples } from './samples';
export type { ClusterSamplesOptions, FragmentSamples } from './samples';
export { initSegment, mediaFragment, mediaFragmentTracks, NON_SYNC_SAMPLE_FLAGS, SYNC_SAMPLE_FLAGS } from './fmp4';
export type { FragmentPart, InitSegmentOptions, MediaFragmentOptions } from './fmp4';
export { FIRST_STREAM_PID, PAT_PID, PMT_PID, TS_PACKET_SIZE, tsFragment } from './mpegts';
export type { TsFragment, TsFragmentOptions } from './mpegts';
