// MPEG-TS (KVS getTSFragment.ts, HLS segments, recordings) → InspectionReport. Codec parameters
// are in-band: SPS/PPS/VPS from the first access unit that has them, AAC from the first ADTS header.
import type { ByteSource } from '../byteSource';
import { adtsToAudioSpecificConfig, analyzeFrameNals, buildParameterSetReference, parseH264Pps, parseH264Sps, parseH265Pps, parseH265Sps, parseH265Vps, readAdtsFrameInfo } from '../codecs';
import { avcCodecStringFromSps, hevcCodecStringFromSps } from '../codecs';
import type { Fields } from '../bits/syntax';
import { gatherPes, readMpegTs, type MpegTsFile, type TsStream } from '../mpegts';
import { PES_RANDOM_ACCESS } from '../mpegts/tables';
import { decodeCodecPrivate, videoFormat } from './codecPrivate';
import { withoutUndefined } from './compact';
import type { ContainerInspection, VideoTrackContext } from './container';
import { fragmentsFromFrames, type FragmentSpan } from './fragments';
import { frameTable, pushFrame, type CodecFamily, type TrackReport } from './report';

const TS_CLOCK_PER_MS = 90;
/** How many access units to search for in-band parameter sets. */
const PARAMETER_SET_SEARCH = 64;

export function inspectMpegTs(source: ByteSource): ContainerInspection {
  const ts = readMpegTs(source);
  const issues = [...ts.issues];
  const tracks: TrackReport[] = [];
  const videoTracks: VideoTrackContext[] = [];
  for (const stream of ts.streams) {
    const family = tsFamily(stream);
    const track: TrackReport = { number: stream.pid, kind: stream.kind === 'video' || stream.kind === 'audio' ? stream.kind : 'other', codecId: `stream_type 0x${stream.streamType.toString(16).padStart(2, '0')}`, family, codecName: stream.name, timescale: 90_000 };
    if (family === 'h264' || family === 'h265') {
      const inBand = inBandParameterSets(source, ts, stream.pid, family);
      Object.assign(track, inBand.track);
      videoTracks.push({ number: stream.pid, codec: family, expected: 'annex-b', reference: inBand.reference });
    } else if (family === 'aac') {
      const adts = firstAdtsConfig(source, ts, stream.pid);
      if (adts) {
        const decoded = decodeCodecPrivate('aac', adts.config, adts.offset);
        Object.assign(track, decoded.track, { codecPrivate: undefined });
        issues.push(...decoded.issues);
      }
    }
    tracks.push(withoutUndefined(track));
  }

  const { pes } = ts;
  const keyframes = keyframesOf(source, ts, videoTracks);
  // Fragments as a KVS producer would cut them: one per GOP of the first video track, from its keyframe
  // to the next (a TS from KVS, getTSFragment.ts or an HLS segment, is then one); without video, one.
  const gopTrack = videoTracks[0]?.number;
  const spans: FragmentSpan[] = [];
  let spanHasVideo = false; // audio before the first keyframe stays in the first fragment
  const frames = frameTable(pes.count);
  for (let i = 0; i < pes.count; i++) {
    const pid = pes.pid[i] ?? 0;
    const offset = pes.offset[i] ?? 0;
    const keyframe = keyframes[i] === 1;
    const previous = spans.at(-1);
    if (!previous) spans.push({ offset: 0, end: source.size, timeMs: null });
    else if (keyframe && pid === gopTrack && spanHasVideo) {
      previous.end = offset;
      spans.push({ offset, end: source.size, timeMs: null });
      spanHasVideo = false;
    }
    if (pid === gopTrack) spanHasVideo = true;
    const pts = pes.pts[i] ?? NaN;
    const dts = pes.dts[i] ?? NaN;
    pushFrame(frames, {
      track: pid,
      fragment: spans.length - 1,
      offset,
      size: pes.size[i] ?? 0,
      ptsMs: pts / TS_CLOCK_PER_MS,
      dtsMs: (Number.isNaN(dts) ? pts : dts) / TS_CLOCK_PER_MS,
      keyframe,
    });
  }
  const fragments = fragmentsFromFrames(spans, frames, tracks);
  return {
    report: { format: 'mpeg-ts', size: source.size, tracks, fragments, frames, issues },
    videoTracks,
    readFrame: (index) => gatherPes(source, ts, index),
  };
}

/**
 * 1 for each PES that starts a keyframe: the random_access_indicator, which muxers set on keyframes, or,
 * on a video PID where no PES has it, an IDR (H.264) or IRAP (H.265) picture found in the PES.
 */
function keyframesOf(source: ByteSource, ts: MpegTsFile, videoTracks: readonly VideoTrackContext[]): Uint8Array {
  const { pes } = ts;
  const keyframes = new Uint8Array(pes.count);
  const marked = new Set<number>();
  for (let i = 0; i < pes.count; i++) {
    if (((pes.flags[i] ?? 0) & PES_RANDOM_ACCESS) === 0) continue;
    keyframes[i] = 1;
    marked.add(pes.pid[i] ?? 0);
  }
  for (const { number, codec } of videoTracks) {
    if (marked.has(number)) continue;
    for (let i = 0; i < pes.count; i++) {
      if (pes.pid[i] === number && analyzeFrameNals(gatherPes(source, ts, i), { codec, expected: 'annex-b' }).keyframe) keyframes[i] = 1;
    }
  }
  return keyframes;
}

function tsFamily(stream: TsStream): CodecFamily {
  if (stream.codec === 'h264') return 'h264';
  if (stream.codec === 'hevc') return 'h265';
  if (stream.codec === 'aac') return 'aac';
  return 'other';
}

function pesIndexesOf(ts: MpegTsFile, pid: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ts.pes.count && out.length < limit; i++) if (ts.pes.pid[i] === pid) out.push(i);
  return out;
}

function inBandParameterSets(source: ByteSource, ts: MpegTsFile, pid: number, codec: 'h264' | 'h265') {
  for (const index of pesIndexesOf(ts, pid, PARAMETER_SET_SEARCH)) {
    const frame = gatherPes(source, ts, index);
    const offset = ts.pes.offset[index] ?? 0;
    const analysis = analyzeFrameNals(frame, { codec, expected: 'annex-b' });
    const nals = analysis.inBandParameterSets.map((unit) => ({ type: unit.nal_unit_type, bytes: frame.subarray(unit.offset, unit.offset + unit.length) }));
    if (!nals.some((nal) => nal.type === (codec === 'h264' ? 7 : 33))) continue;
    const reference = buildParameterSetReference(codec, nals.map((nal) => nal.bytes));
    const parsed = codec === 'h264' ? parseH264Sets(nals, offset) : parseH265Sets(nals, offset);
    const sps = parsed.spsDerived;
    const track: Partial<TrackReport> = {
      ...videoFormat(codec, sps, parsed.codec),
      codecPrivate: { type: 'in-band parameter sets', offset, size: nals.reduce((total, nal) => total + nal.bytes.length, 0), fields: {}, ...parsed.sets },
    };
    return { track, reference };
  }
  return { track: {}, reference: undefined };
}

interface NalBytes {
  type: number;
  bytes: Uint8Array;
}

function parseH264Sets(nals: readonly NalBytes[], offset: number) {
  const sps = nals.filter((nal) => nal.type === 7).map((nal) => parseH264Sps(nal.bytes, offset));
  const pps = nals.filter((nal) => nal.type === 8).map((nal) => parseH264Pps(nal.bytes, offset, sps));
  const first = sps[0];
  return { spsDerived: first?.derived, codec: first ? avcCodecStringFromSps(first) : undefined, sets: { sps: fieldsOf(sps), pps: fieldsOf(pps) } };
}

function parseH265Sets(nals: readonly NalBytes[], offset: number) {
  const vps = nals.filter((nal) => nal.type === 32).map((nal) => parseH265Vps(nal.bytes, offset));
  const sps = nals.filter((nal) => nal.type === 33).map((nal) => parseH265Sps(nal.bytes, offset));
  const pps = nals.filter((nal) => nal.type === 34).map((nal) => parseH265Pps(nal.bytes, offset));
  const first = sps[0];
  return { spsDerived: first?.derived, codec: first ? hevcCodecStringFromSps(first, 'hev1') : undefined, sets: { vps: fieldsOf(vps), sps: fieldsOf(sps), pps: fieldsOf(pps) } };
}

function fieldsOf(sets: readonly { fields: Fields }[]): Fields[] {
  return sets.map((set) => set.fields);
}

function firstAdtsConfig(source: ByteSource, ts: MpegTsFile, pid: number): { config: Uint8Array; offset: number } | undefined {
  const [index] = pesIndexesOf(ts, pid, 1);
  if (index === undefined) return undefined;
  const info = readAdtsFrameInfo(gatherPes(source, ts, index));
  return info ? { config: adtsToAudioSpecificConfig(info), offset: ts.pes.offset[index] ?? 0 } : undefined;
}
