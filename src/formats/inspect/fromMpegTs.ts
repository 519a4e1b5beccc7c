// MPEG-TS (KVS getTSFragment.ts, HLS segments, recordings) → InspectionReport. Codec parameters
// are in-band: SPS/PPS/VPS from the first access unit that has them, AAC from the first ADTS header or
// LATM StreamMuxConfig, MPEG audio and AC-3 from their first frame header.
import type { FieldLocation } from '../bits/syntax';
import type { ByteSource } from '../byteSource';
import { adtsFrameLengthAt, adtsToAudioSpecificConfig, analyzeFrameNals, annexBRandomAccess, buildParameterSetReference, inBandNals, parseAdtsHeader, readAdtsFrameInfo } from '../codecs';
import { gatherPes, pesByteOffset, pesIndexesOf, pesSpan, readMpegTs, spanByteOffset, type MpegTsFile, type TsStream } from '../mpegts';
import { PES_RANDOM_ACCESS } from '../mpegts/tables';
import { decodeCodecPrivate, frameRateIsMaximum, reportLocations, videoFormat, type ParameterSetsByName } from './codecPrivate';
import { parseInBandSets } from './inBandParameterSets';
import { issue, type Issue } from '../issues';
import { withoutUndefined } from './compact';
import type { ContainerInspection, VideoTrackContext } from './container';
import { cutAtKeyframes, fragmentsFromFrames, trackFrameDurations } from './fragments';
import { frameTable, leadProgram, pushFrame, type CodecFamily, type CodecPrivateReport, type TrackReport } from './report';
import { firstFrameOfPid } from './audioFrameSearch';
import { AudioFrameSplitter, audioFormatFromFrames } from './tsAudioFrames';
import { AccessUnitContinuations } from './tsAccessUnits';
import { TsFrameBytes } from './tsFrameBytes';

const TS_CLOCK_PER_MS = 90;
/**
 * How many access units to search for in-band parameter sets: a recording that starts mid-GOP has none
 * before its first keyframe (here a GOP of up to a minute at 30 fps). Only their first bytes are read.
 */
const PARAMETER_SET_SEARCH = 1800;

export function inspectMpegTs(source: ByteSource): ContainerInspection {
  const ts = readMpegTs(source);
  const issues = [...ts.issues];
  const tracks: TrackReport[] = [];
  const videoTracks: VideoTrackContext[] = [];
  /** Video PIDs whose SPS gives only a highest frame rate: the rate their frames' times show. */
  const rateFromFrames = new Set<number>();
  for (const stream of ts.streams) {
    const family = tsFamily(stream);
    const track: TrackReport = { number: stream.pid, offset: stream.offset, kind: stream.kind === 'video' || stream.kind === 'audio' ? stream.kind : 'other', codecId: `stream_type 0x${stream.streamType.toString(16).padStart(2, '0')}`, family, codecName: stream.name, timescale: 90_000, program: stream.programNumber };
    if (family === 'h264' || family === 'h265') {
      const inBand = inBandParameterSets(source, ts, stream.pid, family);
      Object.assign(track, inBand.track);
      if (inBand.frameRateIsMaximum) rateFromFrames.add(stream.pid);
      videoTracks.push({ number: stream.pid, codec: family, expected: 'annex-b', reference: inBand.reference });
      if (!inBand.reference && stream.pesCount > 0) {
        const searched = Math.min(stream.pesCount, PARAMETER_SET_SEARCH);
        issues.push(issue('warning', 'TS_PARAMETER_SETS_MISSING', `Track ${stream.pid} (${family === 'h264' ? 'H.264' : 'H.265'}) has no SPS in its first ${searched} access units: its codec, picture size and profile are unknown, and no frame can be decoded from them.`, stream.offset,
          'Encoders send the parameter sets with every IDR picture in MPEG-TS (x265: repeat-headers); a recording cut mid-GOP has them at its first keyframe. Without them a player shows nothing.'));
      }
    } else if (family === 'aac') {
      const adts = firstAdtsHeader(source, ts, stream.pid);
      if (adts) {
        // The track's format from the AudioSpecificConfig the header stands for; what it shows, the header itself.
        const decoded = decodeCodecPrivate('aac', adts.config, adts.codecPrivate.offset, { adts: true });
        Object.assign(track, decoded.track, { codecPrivate: adts.codecPrivate });
        issues.push(...decoded.issues);
      }
    } else if (stream.kind === 'audio') {
      Object.assign(track, audioFormatFromFrames(source, ts, stream));
    }
    tracks.push(withoutUndefined(track));
  }

  const { pes } = ts;
  const videoPids = new Set(videoTracks.map((track) => track.number));
  const keyframes = keyframesOf(source, ts, videoTracks);
  const audio = new AudioFrameSplitter(source, ts, tracks, issues);
  const frames = frameTable(pes.count);
  const frameBytes = new TsFrameBytes(source, ts, frames);
  const continuations = new AccessUnitContinuations(source, ts, videoTracks);
  /** The last frame row of each video PID, which a PES continuing its access unit adds to. */
  const lastVideoRow = new Map<number, number>();
  for (let i = 0; i < pes.count; i++) {
    const pts = pes.pts[i] ?? NaN;
    const dts = pes.dts[i] ?? NaN;
    const pid = pes.pid[i] ?? 0;
    const continued = lastVideoRow.get(pid);
    if (continued !== undefined && continuations.continues(i)) {
      frames.size[continued] = (frames.size[continued] ?? 0) + (pes.size[i] ?? 0);
      continue;
    }
    if (!audio.split(i, frames, frameBytes)) {
      if (videoPids.has(pid)) lastVideoRow.set(pid, frames.count);
      frameBytes.begin(frames.count, pesSpan(ts, i));
      pushFrame(frames, {
        track: pid,
        fragment: 0,
        offset: pes.offset[i] ?? 0,
        size: pes.size[i] ?? 0,
        ptsMs: pts / TS_CLOCK_PER_MS,
        dtsMs: (Number.isNaN(dts) ? pts : dts) / TS_CLOCK_PER_MS,
        keyframe: keyframes[i] === 1,
      });
    }
  }
  // Fragments as a KVS producer would cut them: one per GOP of the first video track (a TS from KVS,
  // getTSFragment.ts, or an HLS segment is then one), the audio by its time: a muxer writes it in PES
  // packets of up to a second of frames, well before or after the video they play with. (With several
  // programs, whose clocks are unrelated, the other programs' tracks in file order.)
  const measured = tracks.filter((track) => rateFromFrames.has(track.number));
  const durations = measured.length > 0 ? trackFrameDurations(frames, measured) : new Map<number, number>();
  for (const track of measured) {
    const duration = durations.get(track.number) ?? 0;
    if (duration > 0) track.frameRate = nominalFrameRate(1000 / duration);
  }
  const gopTrack = videoTracks[0]?.number;
  const timed = programTiming(tracks, issues);
  const spans = cutAtKeyframes(frames, gopTrack, source.size, timed ?? (() => true));
  const fragments = fragmentsFromFrames(spans, frames, tracks, timed);
  return {
    report: { format: 'mpeg-ts', size: source.size, tracks, fragments, frames, issues },
    videoTracks,
    readFrame: (index) => frameBytes.read(index),
    frameByteOffset: (index, at) => frameBytes.byteOffset(index, at),
  };
}

/**
 * With several programs, whose clocks are unrelated (hours apart, or wrapping at different times), the
 * fragments are timed by the lead program, whose tracks the KVS checks judge (said in an info issue);
 * undefined (every track) otherwise.
 */
function programTiming(tracks: readonly TrackReport[], issues: Issue[]): ((track: number) => boolean) | undefined {
  const program = leadProgram(tracks);
  if (program === undefined) return undefined;
  const programs = new Set(tracks.map((track) => track.program));
  const lead = tracks.filter((track) => track.program === program);
  const others = tracks.filter((track) => track.program !== program).map((track) => track.number);
  issues.push(
    issue(
      'info',
      'TS_SEVERAL_PROGRAMS',
      `The transport stream has ${programs.size} programs, each with its own clock; the fragments and their times follow program ${program}. A KVS stream carries the tracks of one: the track checks take program ${program}'s streams, not PID${others.length > 1 ? 's' : ''} ${others.join(', ')}.`,
      lead[0]?.offset ?? 0,
    ),
  );
  const numbers = new Set(lead.map((track) => track.number));
  return (track) => numbers.has(track);
}

/**
 * A rate measured from 90 kHz times, as the rate it stands for: whole ticks make 30 fps 29.999999999999996
 * and the frames of 59.94 fps (1501.5 ticks) alternate 1501 and 1502. The nearer of the nearest whole
 * and NTSC (N × 1000/1001) rates, when within 0.1 %; else the rate itself.
 */
function nominalFrameRate(rate: number): number {
  const whole = Math.round(rate);
  const ntsc = (Math.round((rate * 1001) / 1000) * 1000) / 1001;
  const nearest = Math.abs(rate - whole) <= Math.abs(rate - ntsc) ? whole : ntsc;
  return nearest > 0 && Math.abs(rate - nearest) / nearest < 0.001 ? nearest : rate;
}

/** How much of an access unit to read for its first slice's NAL header: past the AUD, parameter sets and SEI. */
const RANDOM_ACCESS_SCAN = 4096;

/**
 * 1 for each PES that starts a keyframe: the random_access_indicator, which muxers set on keyframes, or,
 * on a video PID where no PES has it, an IDR (H.264) or IRAP (H.265) picture, found from the start of
 * the PES (the whole PES analysed only when its start does not tell).
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
      if (pes.pid[i] !== number) continue;
      const keyframe = annexBRandomAccess(gatherPes(source, ts, i, RANDOM_ACCESS_SCAN), codec) ?? analyzeFrameNals(gatherPes(source, ts, i), { codec, expected: 'annex-b' }).keyframe;
      if (keyframe) keyframes[i] = 1;
    }
  }
  return keyframes;
}

function tsFamily(stream: TsStream): CodecFamily {
  if (stream.codec === 'h264') return 'h264';
  if (stream.codec === 'hevc') return 'h265';
  if (stream.codec === 'aac') return 'aac';
  if (stream.codec === 'aac_latm') return 'aac-latm';
  return 'other';
}

function inBandParameterSets(source: ByteSource, ts: MpegTsFile, pid: number, codec: 'h264' | 'h265') {
  const sps = codec === 'h264' ? 7 : 33;
  for (const index of pesIndexesOf(ts, pid, PARAMETER_SET_SEARCH)) {
    // Parameter sets come before the slices: the first bytes of an access unit tell whether it has them.
    const head = gatherPes(source, ts, index, RANDOM_ACCESS_SCAN);
    if (!analyzeFrameNals(head, { codec, expected: 'annex-b' }).inBandParameterSets.some((unit) => unit.nal_unit_type === sps)) continue;
    // Parsed at their offsets in the gathered frame, then moved to the input's (past TS packet headers).
    const nals = inBandNals(gatherPes(source, ts, index), codec, 'annex-b');
    const reference = buildParameterSetReference(codec, nals.map((nal) => nal.bytes));
    const parsed = parseInBandSets(codec, nals);
    const sets: ParameterSetsByName = parsed.sets;
    const track: Partial<TrackReport> = {
      ...videoFormat(codec, parsed.spsDerived, parsed.codec),
      codecPrivate: {
        type: 'in-band parameter sets',
        offset: pesByteOffset(ts, index, nals[0]?.offset ?? 0),
        size: nals.reduce((total, nal) => total + nal.bytes.length, 0),
        fields: {},
        ...Object.fromEntries(Object.entries(sets).map(([name, list]) => [name, list.map((set) => set.fields)])),
        locations: locationsInFile((at) => pesByteOffset(ts, index, at), reportLocations([], sets)),
      },
    };
    return { track, reference, frameRateIsMaximum: frameRateIsMaximum(parsed.spsDerived) };
  }
  return { track: {}, reference: undefined, frameRateIsMaximum: false };
}

/** Locations parsed at offsets in gathered bytes, moved to the input's offsets by `inFile`. */
function locationsInFile(inFile: (at: number) => number, locations: readonly FieldLocation[]): FieldLocation[] {
  return locations.map((at) => {
    const byteOffset = inFile(at.byteOffset);
    return { ...at, byteOffset, byteLength: inFile(at.byteOffset + at.byteLength - 1) + 1 - byteOffset };
  });
}

/**
 * The first ADTS header of an AAC PID: the AudioSpecificConfig it stands for, and the header as the track's
 * codec private data. Where the PID's first PES does not open with one (a capture cut inside a frame), the
 * first that leads to another in the PID's first bytes.
 */
function firstAdtsHeader(source: ByteSource, ts: MpegTsFile, pid: number): { config: Uint8Array; codecPrivate: CodecPrivateReport } | undefined {
  const found = firstFrameOfPid(source, ts, pid, adtsFrameLengthAt);
  if (!found) return undefined;
  const { payload, span, at } = found;
  const info = readAdtsFrameInfo(payload, at);
  if (!info) return undefined;
  const header = parseAdtsHeader(payload, at);
  const inFile = (where: number) => spanByteOffset(ts, span, where);
  return {
    config: adtsToAudioSpecificConfig(info, payload.subarray(at + info.headerLength, at + info.frameLength)),
    codecPrivate: { type: 'ADTS header', offset: inFile(at), size: header.length, fields: header.fields, locations: locationsInFile(inFile, reportLocations(header.locations)) },
  };
}
