// Fragmented MP4 (ISO/IEC 14496-12, sample entries of 14496-14/-15) as KVS serves it for HLS and
// DASH: getMP4InitFragment = ftyp + moov (one track per request, empty sample tables, mvex/trex),
// getMP4MediaFragment = moof + mdat (tfhd default-base-is-moof, tfdt v1, trun with data offset and
// per-sample duration, size, flags and composition offsets).
import type { Issue } from '../issues';
import { issue } from '../issues';
import { ByteWriter } from './byteWriter';
import { trackConfig } from './tracks';
import type { PackagedBytes, PackagingSample, PackagingTrack } from './types';

export interface InitSegmentOptions {
  /**
   * The SequenceNumber of the getMP4InitFragment URL (0 first, raised when the codec private data
   * changes). It names which init segment this is and does not change its bytes.
   */
  sequenceNumber?: number;
}

export interface MediaFragmentOptions {
  /** mfhd sequence_number (1-based in practice; KVS uses the fragment's position in the session). */
  sequenceNumber: number;
  /**
   * tfdt baseMediaDecodeTime in the track's timescale. Default: the first sample's DTS converted. When
   * given, the whole fragment is placed there (every sample keeps its offset from the first DTS).
   */
  baseDecodeTime?: number;
}

/** One track's part of a media fragment with several tracks. */
export interface FragmentPart {
  track: PackagingTrack;
  samples: readonly PackagingSample[];
  baseDecodeTime?: number;
}

/** ISO BMFF brands: iso6 (tfdt v1 / trun v1 negative offsets), CMAF, DASH, MP4 v1. */
const MAJOR_BRAND = 'iso6';
const COMPATIBLE_BRANDS = ['iso6', 'iso5', 'cmfc', 'dash', 'mp41'];

/** sample_depends_on = 2 (an I picture, an audio frame). */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1, sample_is_non_sync_sample = 1. */
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

const TRUN_DATA_OFFSET = 0x000001;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTO = 0x000800;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

/** ftyp + moov for one track (as KVS serves per TrackNumber) or several. */
export function initSegment(tracks: PackagingTrack | readonly PackagingTrack[], _options: InitSegmentOptions = {}): PackagedBytes {
  const list = Array.isArray(tracks) ? (tracks as readonly PackagingTrack[]) : [tracks as PackagingTrack];
  const issues: Issue[] = [];
  const w = new ByteWriter(1024 + list.reduce((n, t) => n + t.codecPrivate.length, 0));
  w.box('ftyp', () => {
    w.fourcc(MAJOR_BRAND);
    w.u32(0);
    for (const brand of COMPATIBLE_BRANDS) w.fourcc(brand);
  });
  w.box('moov', () => {
    w.fullBox('mvhd', 0, 0, () => {
      w.u32(0); // creation_time
      w.u32(0); // modification_time
      w.u32(1000); // timescale
      w.u32(0); // duration: unknown (fragmented)
      w.u32(0x00010000); // rate 1.0
      w.u16(0x0100); // volume 1.0
      w.zeros(10);
      for (const m of UNITY_MATRIX) w.u32(m);
      w.zeros(24); // pre_defined
      w.u32(list.reduce((max, t) => Math.max(max, trackId(t)), 0) + 1); // next_track_ID
    });
    for (const track of list) writeTrak(w, track, issues);
    w.box('mvex', () => {
      for (const track of list) {
        w.fullBox('trex', 0, 0, () => {
          w.u32(trackId(track));
          w.u32(1); // default_sample_description_index
          w.u32(0); // default_sample_duration
          w.u32(0); // default_sample_size
          w.u32(0); // default_sample_flags
        });
      }
    });
  });
  return { bytes: w.result(), issues };
}

function trackId(track: PackagingTrack): number {
  return track.trackNumber > 0 && track.trackNumber <= 0xffffffff ? track.trackNumber : 1;
}

function validTimescale(track: PackagingTrack, issues: Issue[]): number {
  const ts = track.timescale;
  if (Number.isInteger(ts) && ts > 0 && ts <= 0xffffffff) return ts;
  const fallback = track.kind === 'video' ? 90000 : Math.round(track.sampleRate ?? 1000) || 1000;
  issues.push(issue('error', 'PACKAGE_BAD_TIMESCALE', `Track ${track.trackNumber} has timescale ${ts}; using ${fallback}.`, 0));
  return fallback;
}

function writeTrak(w: ByteWriter, track: PackagingTrack, issues: Issue[]): void {
  const config = trackConfig(track);
  issues.push(...config.issues);
  const video = track.kind === 'video';
  const width = clampU16(track.width ?? 0);
  const height = clampU16(track.height ?? 0);
  const sar = track.sampleAspectRatio;
  const presentationWidth = sar ? Math.round((width * sar[0]) / sar[1]) : width;
  const timescale = validTimescale(track, issues);
  w.box('trak', () => {
    w.fullBox('tkhd', 0, 0x000003, () => {
      w.u32(0);
      w.u32(0);
      w.u32(trackId(track));
      w.u32(0); // reserved
      w.u32(0); // duration
      w.zeros(8);
      w.u16(0); // layer
      w.u16(0); // alternate_group
      w.u16(video ? 0 : 0x0100); // volume
      w.u16(0);
      for (const m of UNITY_MATRIX) w.u32(m);
      w.u32(video ? Math.min(0xffff, presentationWidth) * 0x10000 : 0);
      w.u32(video ? height * 0x10000 : 0);
    });
    w.box('mdia', () => {
      w.fullBox('mdhd', 0, 0, () => {
        w.u32(0);
        w.u32(0);
        w.u32(timescale);
        w.u32(0);
        w.u16(0x55c4); // language 'und'
        w.u16(0);
      });
      w.fullBox('hdlr', 0, 0, () => {
        w.u32(0);
        w.fourcc(video ? 'vide' : 'soun');
        w.zeros(12);
        const name = video ? 'VideoHandler' : 'SoundHandler';
        for (let i = 0; i < name.length; i++) w.u8(name.charCodeAt(i));
        w.u8(0);
      });
      w.box('minf', () => {
        if (video) {
          w.fullBox('vmhd', 0, 1, () => w.zeros(8));
        } else {
          w.fullBox('smhd', 0, 0, () => w.zeros(4));
        }
        w.box('dinf', () => {
          w.fullBox('dref', 0, 0, () => {
            w.u32(1);
            w.fullBox('url ', 0, 1, () => undefined);
          });
        });
        w.box('stbl', () => {
          w.fullBox('stsd', 0, 0, () => {
            w.u32(1);
            writeSampleEntry(w, track, width, height, issues);
          });
          w.fullBox('stts', 0, 0, () => w.u32(0));
          w.fullBox('stsc', 0, 0, () => w.u32(0));
          w.fullBox('stsz', 0, 0, () => {
            w.u32(0);
            w.u32(0);
          });
          w.fullBox('stco', 0, 0, () => w.u32(0));
        });
      });
    });
  });
}

function clampU16(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(0xffff, Math.round(n))) : 0;
}

function writeSampleEntry(w: ByteWriter, track: PackagingTrack, width: number, height: number, issues: Issue[]): void {
  switch (track.codec) {
    case 'h264':
    case 'h265': {
      const h264 = track.codec === 'h264';
      if (width === 0 || height === 0) {
        issues.push(issue('warning', 'PACKAGE_NO_PICTURE_SIZE', `Video track ${track.trackNumber} has no picture size (no readable SPS); the sample entry says 0×0.`, 0));
      }
      w.box(h264 ? 'avc1' : 'hvc1', () => {
        w.zeros(6);
        w.u16(1); // data_reference_index
        w.zeros(16); // pre_defined, reserved
        w.u16(width);
        w.u16(height);
        w.u32(0x00480000); // 72 dpi
        w.u32(0x00480000);
        w.u32(0);
        w.u16(1); // frame_count
        w.zeros(32); // compressorname
        w.u16(0x0018); // depth
        w.u16(0xffff); // pre_defined = -1
        w.box(h264 ? 'avcC' : 'hvcC', () => w.raw(track.codecPrivate));
        const sar = track.sampleAspectRatio;
        if (sar) {
          w.box('pasp', () => {
            w.u32(sar[0]);
            w.u32(sar[1]);
          });
        }
      });
      return;
    }
    case 'aac':
    case 'alaw':
    case 'mulaw': {
      const rate = track.sampleRate ?? track.timescale;
      const config = trackConfig(track);
      const channels = config.asc?.derived.channels ?? track.channels ?? 1;
      if (rate > 0xffff) {
        issues.push(issue('warning', 'PACKAGE_SAMPLE_RATE_FIELD', `The sample rate ${rate} Hz does not fit the 16.16 samplerate field; it is written as 0 (the timescale still says it).`, 0));
      }
      const type = track.codec === 'aac' ? 'mp4a' : track.codec === 'alaw' ? 'alaw' : 'ulaw';
      w.box(type, () => {
        w.zeros(6);
        w.u16(1); // data_reference_index
        w.zeros(8); // reserved
        w.u16(Math.max(1, Math.min(0xffff, channels)));
        w.u16(16); // samplesize
        w.u16(0);
        w.u16(0);
        w.u32(rate <= 0xffff ? Math.round(rate) * 0x10000 : 0);
        if (track.codec === 'aac') writeEsds(w, track.codecPrivate);
      });
      return;
    }
  }
}

/** A descriptor's tag and expandable size (7 bits per byte, high bit = more). */
function descriptorHeader(w: ByteWriter, tag: number, size: number): void {
  w.u8(tag);
  const bytes: number[] = [size & 0x7f];
  let rest = size >>> 7;
  while (rest > 0) {
    bytes.unshift((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  for (const b of bytes) w.u8(b);
}

/** Bytes of a descriptor's tag and size fields for a payload of `size` bytes. */
function descriptorLength(size: number): number {
  let n = 1;
  while (size >= 0x80) {
    size >>>= 7;
    n++;
  }
  return 1 + n; // tag byte + size bytes
}

/** esds: ES_Descriptor { DecoderConfigDescriptor { 0x40 MPEG-4 audio, DecoderSpecificInfo = ASC }, SLConfigDescriptor }. */
function writeEsds(w: ByteWriter, asc: Uint8Array): void {
  const dsi = asc.length;
  const dsiTotal = descriptorLength(dsi) + dsi;
  const dcd = 13 + dsiTotal;
  const dcdTotal = descriptorLength(dcd) + dcd;
  const sl = 1;
  const slTotal = descriptorLength(sl) + sl;
  const es = 3 + dcdTotal + slTotal;
  w.fullBox('esds', 0, 0, () => {
    descriptorHeader(w, 0x03, es);
    w.u16(0); // ES_ID (0 in MP4 files)
    w.u8(0); // no dependsOn, URL or OCR stream
    descriptorHeader(w, 0x04, dcd);
    w.u8(0x40); // objectTypeIndication: MPEG-4 audio (14496-3)
    w.u8((0x05 << 2) | 1); // streamType audio, upStream 0, reserved 1
    w.u24(0); // bufferSizeDB
    w.u32(0); // maxBitrate
    w.u32(0); // avgBitrate (0: variable / unknown)
    descriptorHeader(w, 0x05, dsi);
    w.raw(asc);
    descriptorHeader(w, 0x06, sl);
    w.u8(0x02); // predefined: MP4 files
  });
}

/** Per-sample values of one track's trun, computed before anything is written. */
interface RunPlan {
  track: PackagingTrack;
  samples: readonly PackagingSample[];
  durations: Uint32Array;
  ctos: Int32Array;
  flags: Uint32Array;
  hasCto: boolean;
  baseDecodeTime: number;
  dataBytes: number;
}

/** moof + mdat with one track's samples (KVS answers getMP4MediaFragment per TrackNumber). */
export function mediaFragment(track: PackagingTrack, samples: readonly PackagingSample[], options: MediaFragmentOptions): PackagedBytes {
  const part: FragmentPart = { track, samples };
  if (options.baseDecodeTime !== undefined) part.baseDecodeTime = options.baseDecodeTime;
  return mediaFragmentTracks([part], { sequenceNumber: options.sequenceNumber });
}

/** moof + mdat with a traf per part, their sample data one after the other in one mdat. */
export function mediaFragmentTracks(parts: readonly FragmentPart[], options: { sequenceNumber: number }): PackagedBytes {
  const issues: Issue[] = [];
  const plans = parts.map((part) => planRun(part, issues));
  let moofSize = 8 + 16;
  for (const plan of plans) moofSize += 8 + 16 + 20 + 20 + plan.samples.length * (plan.hasCto ? 16 : 12);
  const dataBytes = plans.reduce((n, p) => n + p.dataBytes, 0);
  const mdatSize = 8 + dataBytes;
  if (moofSize + mdatSize > 0xffffffff) {
    issues.push(issue('error', 'PACKAGE_FRAGMENT_TOO_LARGE', `The fragment would have ${moofSize + mdatSize} bytes; an mdat holds at most 4 GiB here.`, 0));
    return { bytes: new Uint8Array(0), issues };
  }
  const w = new ByteWriter(moofSize + mdatSize, false);
  const sequenceNumber = Number.isInteger(options.sequenceNumber) && options.sequenceNumber >= 0 ? options.sequenceNumber % 0x100000000 : 0;
  w.box('moof', () => {
    w.fullBox('mfhd', 0, 0, () => w.u32(sequenceNumber));
    let dataOffset = moofSize + 8;
    for (const plan of plans) {
      writeTraf(w, plan, dataOffset);
      dataOffset += plan.dataBytes;
    }
  });
  w.u32(mdatSize);
  w.fourcc('mdat');
  for (const plan of plans) for (const sample of plan.samples) w.raw(sample.data);
  return { bytes: w.result(), issues };
}

function writeTraf(w: ByteWriter, plan: RunPlan, dataOffset: number): void {
  const n = plan.samples.length;
  w.box('traf', () => {
    w.fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, () => w.u32(trackId(plan.track)));
    w.fullBox('tfdt', 1, 0, () => w.u64(plan.baseDecodeTime));
    const flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (plan.hasCto ? TRUN_CTO : 0);
    w.fullBox('trun', plan.hasCto ? 1 : 0, flags, () => {
      w.u32(n);
      w.i32(dataOffset);
      for (let i = 0; i < n; i++) {
        w.u32(plan.durations[i] ?? 0);
        w.u32(plan.samples[i]?.data.length ?? 0);
        w.u32(plan.flags[i] ?? 0);
        if (plan.hasCto) w.i32(plan.ctos[i] ?? 0);
      }
    });
  });
}

function planRun(part: FragmentPart, issues: Issue[]): RunPlan {
  const { track, samples } = part;
  const n = samples.length;
  const timescale = validTimescale(track, issues);
  const ticks = (ms: number): number => Math.round((ms * timescale) / 1000);
  const durations = new Uint32Array(n);
  const ctos = new Int32Array(n);
  const flags = new Uint32Array(n);
  let hasCto = false;
  let dataBytes = 0;
  let badTime = false;
  let backwards = false;
  const dts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    if (!s) continue;
    const d = s.dtsMs ?? s.ptsMs;
    if (!Number.isFinite(d) || !Number.isFinite(s.ptsMs)) badTime = true;
    dts[i] = Number.isFinite(d) ? ticks(d) : i > 0 ? (dts[i - 1] ?? 0) : 0;
  }
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    if (!s) continue;
    const d = dts[i] ?? 0;
    let duration: number;
    if (i + 1 < n) duration = (dts[i + 1] ?? 0) - d;
    else {
      const own = s.durationMs;
      duration = Number.isFinite(own) ? ticks((s.dtsMs ?? s.ptsMs) + own) - d : 0;
      if (!Number.isFinite(duration)) duration = 0;
    }
    if (duration < 0) {
      backwards = true;
      duration = 0;
    }
    durations[i] = Math.min(duration, 0xffffffff);
    const pts = Number.isFinite(s.ptsMs) ? ticks(s.ptsMs) : d;
    const cto = Math.max(-0x80000000, Math.min(0x7fffffff, pts - d));
    ctos[i] = cto;
    if (cto !== 0) hasCto = true;
    flags[i] = track.kind === 'audio' || s.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS;
    dataBytes += s.data.length;
  }
  if (badTime) issues.push(issue('error', 'PACKAGE_BAD_TIME', `Track ${track.trackNumber}: some samples have no finite time; they take the previous sample's.`, 0));
  if (backwards) {
    issues.push(issue('warning', 'PACKAGE_DTS_NOT_INCREASING', `Track ${track.trackNumber}: decode times go backwards; those samples get duration 0 and later samples move.`, 0));
  }
  if (track.kind === 'video' && n > 0 && !samples[0]?.keyframe) {
    issues.push(issue('warning', 'PACKAGE_NO_KEYFRAME_START', `Track ${track.trackNumber}: the fragment does not start with a key frame.`, 0));
  }
  if (track.kind === 'video') checkLengthPrefixed(track, samples, issues);
  let base = part.baseDecodeTime ?? (n > 0 ? (dts[0] ?? 0) : 0);
  if (!Number.isFinite(base)) base = 0;
  base = Math.round(base);
  if (base < 0) {
    issues.push(
      issue('warning', 'PACKAGE_NEGATIVE_DECODE_TIME', `Track ${track.trackNumber}: the first decode time is ${base} ticks; tfdt cannot be negative, the fragment starts at 0 instead.`, 0),
    );
    base = 0;
  }
  return { track, samples, durations, ctos, flags, hasCto, baseDecodeTime: base, dataBytes };
}

/** Warns about samples whose NAL length prefixes do not add up (Annex-B data, damage). */
function checkLengthPrefixed(track: PackagingTrack, samples: readonly PackagingSample[], issues: Issue[]): void {
  const size = trackConfig(track).lengthSize;
  for (let i = 0; i < samples.length; i++) {
    const data = samples[i]?.data;
    if (!data || data.length === 0) continue;
    let at = 0;
    while (at + size <= data.length) {
      let len = 0;
      for (let k = 0; k < size; k++) len = len * 256 + (data[at + k] ?? 0);
      at += size + len;
    }
    if (at !== data.length) {
      issues.push(
        issue(
          'warning',
          'PACKAGE_NAL_LENGTHS',
          `Track ${track.trackNumber} sample ${i}: its ${size}-byte NAL length prefixes do not add up to its ${data.length} bytes (Annex-B start codes or damage); players will fail to decode it.`,
          i,
        ),
      );
      return;
    }
  }
}
