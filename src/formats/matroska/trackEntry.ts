// One TrackEntry: its fields from element values, and what is wrong with it once it ends.
import type { ByteSource } from '../byteSource';
import type { EbmlElement } from '../ebml/walker';
import type { Issue } from '../issues';
import { issue } from '../issues';
import { asBinary, asNumber, asString, asUid } from './elementValues';
import { ElementId as Id } from './elementTable';
import type { MatroskaTrack } from './model';

/** Codecs KVS (HLS, DASH, GetClip) cannot play without CodecPrivate. */
const CODEC_PRIVATE_REQUIRED = ['V_MPEG4/ISO/AVC', 'V_MPEG/ISO/AVC', 'V_MPEGH/ISO/HEVC', 'A_AAC', 'A_MS/ACM', 'V_MS/VFW/FOURCC'];
/** Codecs whose Matroska mapping has no CodecPrivate (the Audio element, the ID or the frames say it all): the legacy AAC IDs A_AAC/MPEG2/LC and the like too. */
const CODEC_PRIVATE_NONE = ['A_PCM/', 'A_MPEG/L', 'A_AC3', 'A_EAC3', 'A_DTS', 'S_TEXT/UTF8', 'A_AAC/', 'V_VP8', 'V_VP9'];
/** Larger CodecPrivate is located but not copied (KVS allows at most 1 MiB). */
const CODEC_PRIVATE_COPY_LIMIT = 1 << 20;

export function newTrack(offset: number): MatroskaTrack {
  return { offset, number: 0, type: 0, kind: 'other', codecId: '', codecPrivate: null };
}

/**
 * Sets the track field `element` holds (`inVideo`/`inAudio`: a Video/Audio master is open). Returns
 * whether the element was a CodecPrivate, even an empty one.
 */
export function applyTrackValue(track: MatroskaTrack, element: EbmlElement, inVideo: boolean, inAudio: boolean, source: ByteSource): boolean {
  const value = element.value;
  if (inVideo && track.video) {
    const video = track.video;
    switch (element.id) {
      case Id.PixelWidth: video.pixelWidth = asNumber(value); return false;
      case Id.PixelHeight: video.pixelHeight = asNumber(value); return false;
      case Id.DisplayWidth: video.displayWidth = asNumber(value); return false;
      case Id.DisplayHeight: video.displayHeight = asNumber(value); return false;
      case Id.DisplayUnit: video.displayUnit = asNumber(value); return false;
      case Id.FlagInterlaced: video.interlaced = asNumber(value); return false;
    }
  }
  if (inAudio && track.audio) {
    const audio = track.audio;
    switch (element.id) {
      case Id.SamplingFrequency: audio.samplingFrequency = asNumber(value) ?? audio.samplingFrequency; return false;
      case Id.OutputSamplingFrequency: audio.outputSamplingFrequency = asNumber(value); return false;
      case Id.Channels: audio.channels = asNumber(value) ?? audio.channels; return false;
      case Id.BitDepth: audio.bitDepth = asNumber(value); return false;
    }
  }
  switch (element.id) {
    case Id.TrackNumber: track.number = asNumber(value) ?? 0; return false;
    case Id.TrackUID: track.uid = asUid(value); return false;
    case Id.TrackType: {
      track.type = asNumber(value) ?? 0;
      track.kind = track.type === 1 ? 'video' : track.type === 2 ? 'audio' : 'other';
      return false;
    }
    case Id.CodecID: track.codecId = asString(value) ?? ''; return false;
    case Id.CodecName: track.codecName = asString(value); return false;
    case Id.Name: track.name = asString(value); return false;
    case Id.Language: track.language = asString(value); return false;
    case Id.DefaultDuration: track.defaultDurationNs = asNumber(value); return false;
    case Id.CodecDelay: track.codecDelayNs = asNumber(value); return false;
    case Id.ContentCompAlgo: if (track.contentEncoding) track.contentEncoding.compression = asNumber(value); return false;
    case Id.ContentEncAlgo: if (track.contentEncoding) track.contentEncoding.encryption = asNumber(value); return false;
    case Id.CodecPrivate: {
      const ref = asBinary(value);
      if (!ref) return true;
      // Copied: the source's view is reused by its next read.
      const bytes = ref.size <= CODEC_PRIVATE_COPY_LIMIT ? source.read(ref.offset, ref.size).slice() : undefined;
      track.codecPrivate = bytes ? { offset: ref.offset, size: ref.size, bytes } : { offset: ref.offset, size: ref.size };
      return true;
    }
  }
  return false;
}

export function trackIssues(track: MatroskaTrack, sawCodecPrivate: boolean): Issue[] {
  const issues: Issue[] = [];
  const at = track.offset;
  if (track.number === 0) {
    issues.push(issue('error', 'MKV_TRACK_NUMBER_MISSING', `The TrackEntry at offset ${at} has no TrackNumber (or 0).`, at));
  }
  if (track.codecId === '') {
    issues.push(issue('error', 'MKV_CODEC_ID_MISSING', `Track ${track.number} (TrackEntry at offset ${at}) has no CodecID.`, at));
  }
  if ((!track.codecPrivate || track.codecPrivate.size === 0) && !CODEC_PRIVATE_NONE.some((prefix) => track.codecId.startsWith(prefix))) {
    const required = CODEC_PRIVATE_REQUIRED.some((prefix) => track.codecId.startsWith(prefix));
    const what = sawCodecPrivate ? 'an empty CodecPrivate' : 'no CodecPrivate';
    issues.push(
      issue(
        required ? 'warning' : 'info',
        'MKV_CODEC_PRIVATE_MISSING',
        `Track ${track.number} (${track.codecId || 'no codec'}, TrackEntry at offset ${at}) has ${what}.`,
        at,
        required
          ? 'Kinesis Video Streams needs codec private data (avcC/hvcC, AudioSpecificConfig or WAVEFORMATEX) on this track for HLS, DASH and GetClip; without it they fail with MissingCodecPrivateDataException.'
          : undefined,
      ),
    );
  }
  return issues;
}
