import type { ByteSource } from '../byteSource';
import { issue, type Issue, type Severity } from '../issues';
import type { EventMessageFields } from './boxes/emsg';
import type { FileTypeFields } from './boxes/ftyp';
import type { SegmentIndexFields } from './boxes/sidx';
import { childBox, childBoxes } from './find';
import { readFragments, type Fragment, type TrackState } from './fragments';
import { fieldsOf } from './registry';
import { buildSampleTable } from './sampleTable';
import { SampleTableBuilder } from './samples';
import { describeTrack, type Track } from './tracks';
import type { Box } from './types';
import { readBoxes, type WalkOptions } from './walker';

/**
 * - `init-segment`: moov with mvex and no fragments (DASH/HLS/CMAF initialization segment);
 * - `media-segment`: fragments without a moov (styp/sidx/moof/mdat);
 * - `fragmented`: moov and fragments in one file;
 * - `plain`: moov with its samples in stbl;
 * - `unknown`: neither moov nor moof.
 */
export type IsoBmffKind = 'init-segment' | 'media-segment' | 'fragmented' | 'plain' | 'unknown';

export interface IsoBmffOptions extends WalkOptions {
  /** Build per-sample tables (default true). Fragment summaries are computed either way. */
  samples?: boolean;
  /** Tracks of the init segment, for reading media segments: timescales and trex defaults. */
  init?: { readonly tracks: readonly Track[] };
  /** Track id → timescale for media segments read without their init segment. */
  timescales?: Readonly<Record<number, number>>;
  /** Per-track cap on sample table entries (default 2^24). */
  maxSamples?: number;
}

export interface MovieInfo {
  timescale: number;
  /** In `timescale` units. */
  duration: number;
  nextTrackId: number;
  /** mehd fragment_duration, when present. */
  fragmentDuration?: number;
}

export interface IsoBmffFile {
  kind: IsoBmffKind;
  size: number;
  /** Top-level boxes with their decoded descendants. */
  boxes: Box[];
  /** ftyp, or styp for a media segment. */
  brands?: FileTypeFields & { type: 'ftyp' | 'styp' };
  movie?: MovieInfo;
  tracks: Track[];
  /** One per moof, in file order. */
  fragments: Fragment[];
  segmentIndexes: (SegmentIndexFields & { offset: number })[];
  events: (EventMessageFields & { offset: number })[];
  issues: Issue[];
}

const DEFAULT_MAX_SAMPLES = 1 << 24;

/** Reads the structure, tracks, fragments and sample tables of an MP4 / fragmented MP4 / CMAF segment. */
export function readIsoBmff(source: ByteSource, options: IsoBmffOptions = {}): IsoBmffFile {
  const tree = readBoxes(source, options);
  const issues = tree.issues;
  const report = (severity: Severity, code: string, message: string, offset: number): void => {
    issues.push(issue(severity, code, message, offset));
  };
  const boxes = tree.boxes;
  const withSamples = options.samples !== false;
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;

  const file: IsoBmffFile = { kind: 'unknown', size: source.size, boxes, tracks: [], fragments: [], segmentIndexes: [], events: [], issues };
  const moov = boxes.find((b) => b.type === 'moov');
  if (boxes.filter((b) => b.type === 'moov').length > 1) report('warning', 'MOOV_REPEATED', 'more than one moov; using the first', boxes.filter((b) => b.type === 'moov')[1]?.offset ?? 0);
  const hasMoof = boxes.some((b) => b.type === 'moof');
  const typeBox = boxes.find((b) => b.type === 'ftyp') ?? boxes.find((b) => b.type === 'styp');
  const brands = fieldsOf(typeBox, 'ftyp') ?? fieldsOf(typeBox, 'styp');
  if (brands && typeBox) file.brands = { type: typeBox.type === 'ftyp' ? 'ftyp' : 'styp', ...brands };

  for (const b of boxes) {
    const sidx = fieldsOf(b, 'sidx');
    if (sidx) file.segmentIndexes.push({ offset: b.offset, ...sidx });
    const emsg = fieldsOf(b, 'emsg');
    if (emsg) file.events.push({ offset: b.offset, ...emsg });
  }

  const states = new Map<number, TrackState>();
  const mvex = childBox(moov, 'mvex');
  if (moov) {
    const mvhd = fieldsOf(childBox(moov, 'mvhd'), 'mvhd');
    if (!mvhd) report('error', 'MVHD_MISSING', 'moov has no mvhd', moov.offset);
    const movieTimescale = mvhd?.timescale ?? 0;
    file.movie = { timescale: movieTimescale, duration: mvhd?.duration ?? 0, nextTrackId: mvhd?.nextTrackId ?? 0 };
    const mehd = fieldsOf(childBox(mvex, 'mehd'), 'mehd');
    if (mehd) file.movie.fragmentDuration = mehd.fragmentDuration;
    for (const trak of childBoxes(moov, 'trak')) {
      const track = describeTrack(trak, movieTimescale);
      if (states.has(track.id)) report('error', 'TRACK_ID_REPEATED', `track id ${track.id} used twice`, trak.offset);
      const stbl = childBox(childBox(childBox(trak, 'mdia'), 'minf'), 'stbl');
      const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
      if (stbl) {
        const table = buildSampleTable(stbl, maxSamples, source.size, report);
        state.sampleCount = table.count;
        if (table.count > 0) state.nextDecodeTime = (table.dts[table.count - 1] ?? 0) + (table.duration[table.count - 1] ?? 0);
        if (withSamples) {
          if (hasMoof) {
            state.builder = new SampleTableBuilder(Math.max(256, table.count));
            state.builder.append(table);
          } else {
            track.samples = table;
          }
        }
      } else {
        report('error', 'STBL_MISSING', `track ${track.id} has no stbl`, trak.offset);
      }
      if (withSamples && hasMoof && !state.builder) state.builder = new SampleTableBuilder();
      file.tracks.push(track);
      states.set(track.id, state);
    }
    for (const trex of childBoxes(mvex, 'trex')) {
      const f = fieldsOf(trex, 'trex');
      const state = f ? states.get(f.trackId) : undefined;
      if (f && state) {
        state.defaults = f;
        state.track.defaults = f;
      } else if (f) {
        report('warning', 'TREX_UNKNOWN_TRACK', `trex for track ${f.trackId}, which the moov does not have`, trex.offset);
      }
    }
  } else if (options.init) {
    for (const t of options.init.tracks) {
      const track: Track = { ...t, sampleCount: 0, edits: t.edits };
      delete track.samples;
      const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
      if (t.defaults) state.defaults = t.defaults;
      if (withSamples) state.builder = new SampleTableBuilder();
      file.tracks.push(track);
      states.set(track.id, state);
    }
  }

  if (hasMoof) {
    const timescales = options.timescales ?? {};
    let warnedTimescale = false;
    file.fragments = readFragments(boxes, states, {
      fileSize: source.size,
      withSamples,
      report,
      unknownTrack(trackId, traf) {
        const timescale = timescales[trackId] ?? 0;
        if (moov) report('error', 'TRAF_UNKNOWN_TRACK', `traf for track ${trackId}, which the moov does not have`, traf.offset);
        else if (timescale === 0 && !warnedTimescale) {
          warnedTimescale = true;
          report('info', 'TIMESCALE_UNKNOWN', `no init segment or timescale for track ${trackId}: times are in raw units`, traf.offset);
        }
        const track: Track = {
          id: trackId, handler: '', kind: 'other', timescale, duration: 0, codec: '', sampleEntryCount: 0,
          edits: [], presentationShift: 0, sampleCount: 0,
        };
        file.tracks.push(track);
        const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
        if (withSamples) state.builder = new SampleTableBuilder();
        return state;
      },
    });
  }
  for (const state of states.values()) {
    state.track.sampleCount = state.sampleCount;
    if (state.builder) state.track.samples = state.builder.finish();
  }

  file.kind = moov ? (hasMoof ? 'fragmented' : mvex ? 'init-segment' : 'plain') : hasMoof ? 'media-segment' : 'unknown';
  if (file.kind === 'unknown' && boxes.length > 0) report('warning', 'NO_MOVIE', 'neither moov nor moof: not a playable ISO BMFF file', 0);
  return file;
}
