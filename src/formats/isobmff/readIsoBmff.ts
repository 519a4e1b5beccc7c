import type { ByteSource } from '../byteSource';
import { capIssuesPerCode, issue, type Issue, type Severity } from '../issues';
import { pushAll } from '../pushAll';
import type { EventMessageFields } from './boxes/emsg';
import type { FileTypeFields } from './boxes/ftyp';
import type { SegmentIndexFields } from './boxes/sidx';
import { childBox, childBoxes } from './find';
import { FragmentReader, type Fragment, type TrackState } from './fragments';
import { payloadAt, type Payload } from './mdatPayloads';
import { fieldsOf } from './registry';
import { buildSampleTable } from './sampleTable';
import { SampleTableBuilder, type SampleTable } from './samples';
import { describeTrack, type Track } from './tracks';
import type { Box, BoxTree } from './types';
import { DEFAULT_MAX_DEPTH, readBoxes, type WalkOptions } from './walker';

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
  /**
   * Keep each moof's child boxes in `boxes` (default true). When false, a moof of the usual make (mfhd,
   * trafs of tfhd, tfdt and truns) is read straight from its bytes into the fragments and sample tables
   * and stays a leaf of the tree (`walkBoxes` expands it on demand): the same fragments, samples and
   * issues, in less time and memory for a long file.
   */
  fragmentBoxes?: boolean;
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
  /**
   * Each moov and the tracks it describes, in file order: more than one in recordings or HLS init and
   * media segments joined end to end (across a discontinuity). The first one's tracks are `tracks`' own
   * objects; the fragments after a later one follow its fragment defaults (trex) and the tracks it adds.
   */
  movies: { offset: number; tracks: Track[] }[];
  /** One per moof, in file order. */
  fragments: Fragment[];
  /** The payloads of the top-level mdats, in file order: where sample data belongs. */
  mediaData: Payload[];
  segmentIndexes: (SegmentIndexFields & { offset: number })[];
  events: (EventMessageFields & { offset: number })[];
  issues: Issue[];
}

const DEFAULT_MAX_SAMPLES = 1 << 24;

/** Reads the structure, tracks, fragments and sample tables of an MP4 / fragmented MP4 / CMAF segment. */
export function readIsoBmff(source: ByteSource, options: IsoBmffOptions = {}): IsoBmffFile {
  const reader = new IsoBmffReader(source.size, options);
  // The movie is built while the walk goes on, top-level box by box (fragments as they come).
  const skim = options.fragmentBoxes === false ? (box: Box, bytes: Uint8Array, at: number) => reader.skim(box, bytes, at) : undefined;
  const tree = readBoxes(source, options, { box: (box) => reader.add(box), skim, sampleDataEnd: () => reader.sampleDataEnd() });
  return reader.finish(tree);
}

/**
 * Neither moov nor moof. With media data, it is most often a plain MP4 whose recording stopped before its
 * moov, written at the end, was: the data is there, and nothing says what it is.
 */
function noMovieIssue(boxes: readonly Box[]): Issue {
  const mdat = boxes.find((box) => box.type === 'mdat');
  if (!mdat) return issue('warning', 'NO_MOVIE', 'neither moov nor moof: not a playable ISO BMFF file', 0);
  return issue(
    'warning',
    'NO_MOVIE',
    `media data (the mdat at byte ${mdat.offset}) but neither moov nor moof: nothing says which tracks and samples it holds, as in a plain MP4 whose recording stopped before its moov was written`,
    0,
    'A plain MP4 gets its moov when the recording ends. Record fragmented MP4 (ffmpeg -movflags +frag_keyframe+empty_moov) or Matroska, which stay playable up to where they stop.',
  );
}

/** What readIsoBmff builds from the top-level boxes, given in file order. */
class IsoBmffReader {
  private readonly withSamples: boolean;
  private readonly maxSamples: number;
  private readonly file: IsoBmffFile;
  /** Issues of the movie (moov, tracks, sample tables) and of the fragments, after the walker's. */
  private readonly movieIssues: Issue[] = [];
  private readonly fragmentIssues: Issue[] = [];
  private moov: Box | undefined;
  private mvex: Box | undefined;
  /** Offset of a second moov (reported). */
  private repeatedMoovAt: number | undefined;
  private ftyp: Box | undefined;
  private styp: Box | undefined;
  private hasMoof = false;
  private readonly states = new Map<number, TrackState>();
  /** Sample tables from the moov's stbl, until it is known whether fragments follow. */
  private readonly plainTables = new Map<TrackState, SampleTable>();
  /** Reads the fragments once the movie (moov or init segment) is known; moofs and mdats wait until then. */
  private fragmentReader: FragmentReader | undefined;
  private readonly waiting: Box[] = [];
  private warnedTimescale = false;

  constructor(size: number, private readonly options: IsoBmffOptions) {
    this.withSamples = options.samples !== false;
    this.maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.file = { kind: 'unknown', size, boxes: [], tracks: [], movies: [], fragments: [], mediaData: [], segmentIndexes: [], events: [], issues: [] };
  }

  add(box: Box): void {
    switch (box.type) {
      case 'moof':
        this.moofSeen();
        this.addFragmentBox(box);
        break;
      case 'mdat':
        this.addFragmentBox(box);
        break;
      case 'moov':
        if (this.moov) this.readLaterMoov(box);
        else this.readMoov(box);
        break;
      case 'ftyp': this.ftyp ??= box; break;
      case 'styp': this.styp ??= box; break;
      case 'sidx': {
        const sidx = fieldsOf(box, 'sidx');
        if (sidx) this.file.segmentIndexes.push({ offset: box.offset, ...sidx });
        break;
      }
      case 'emsg': {
        const emsg = fieldsOf(box, 'emsg');
        if (emsg) this.file.events.push({ offset: box.offset, ...emsg });
        break;
      }
    }
  }

  /**
   * A top-level box read by the fragment reader instead of the walker (see IsoBmffOptions.fragmentBoxes),
   * when the walker would have decoded the truns (depth 2).
   */
  skim(box: Box, bytes: Uint8Array, at: number): boolean {
    if (box.type !== 'moof' || !this.fragmentReader || (this.options.maxDepth ?? DEFAULT_MAX_DEPTH) <= 2) return false;
    this.moofSeen();
    return this.fragmentReader.skim(box, bytes, at);
  }

  /** Where the sample data of the moof read last ends, until the box after it is read (see FragmentReader). */
  sampleDataEnd(): number | undefined {
    return this.fragmentReader?.openDataEnd();
  }

  finish(tree: BoxTree): IsoBmffFile {
    const file = this.file;
    if (!this.moov && this.options.init) this.useInitSegment(this.options.init.tracks);
    this.fragments().finish();
    file.boxes = tree.boxes;
    file.fragments = this.hasMoof ? this.fragments().fragments : [];
    const typeBox = this.ftyp ?? this.styp;
    const brands = fieldsOf(typeBox, 'ftyp') ?? fieldsOf(typeBox, 'styp');
    if (brands && typeBox) file.brands = { type: typeBox.type === 'ftyp' ? 'ftyp' : 'styp', ...brands };
    for (const state of this.states.values()) {
      state.track.sampleCount = state.sampleCount;
      if (state.builder) state.track.samples = state.builder.finish();
      else if (this.withSamples) state.track.samples = this.plainTables.get(state);
    }
    const moov = this.moov;
    file.kind = moov ? (this.hasMoof ? 'fragmented' : this.mvex ? 'init-segment' : 'plain') : this.hasMoof ? 'media-segment' : 'unknown';
    file.issues = tree.issues;
    if (this.repeatedMoovAt !== undefined) {
      file.issues.push(issue('warning', 'MOOV_REPEATED', 'more than one moov (files joined end to end?): the fragments after each moov are read with its tracks', this.repeatedMoovAt));
    }
    file.mediaData = tree.boxes.filter((box) => box.type === 'mdat').map((box) => ({ start: box.offset + box.headerSize, end: box.offset + box.size }));
    if (file.kind === 'plain') this.checkPlainSampleData(file.mediaData);
    pushAll(pushAll(file.issues, this.movieIssues), this.fragmentIssues);
    if (file.kind === 'unknown' && tree.boxes.length > 0) file.issues.push(noMovieIssue(tree.boxes));
    file.issues = capIssuesPerCode(file.issues);
    return file;
  }

  /**
   * A plain MP4's samples lie inside an mdat's payload: chunk offsets that point elsewhere (damaged, or
   * written before boxes were inserted) make players read other bytes as frames. Samples past the end
   * are SAMPLE_DATA_PAST_END already.
   */
  private checkPlainSampleData(payloads: readonly Payload[]): void {
    for (const [state, table] of this.plainTables) {
      let first = -1;
      let outside = 0;
      for (let s = 0; s < table.count; s++) {
        const start = table.offset[s] ?? 0;
        const end = start + (table.size[s] ?? 0);
        if (end > this.file.size || end <= (payloadAt(payloads, start, end)?.end ?? -1)) continue;
        if (first < 0) first = s;
        outside++;
      }
      if (first < 0) continue;
      const at = table.offset[first] ?? 0;
      this.reportMovie('warning', 'SAMPLE_DATA_OUTSIDE_MDAT', `track ${state.track.id}: ${outside} of ${table.count} samples (the first is number ${first + 1}, at byte ${at}) are not inside any mdat: its chunk offsets point elsewhere`, at);
    }
  }

  /** A moof comes: the first one makes the sample tables that fragments append to. */
  private moofSeen(): void {
    if (this.hasMoof) return;
    this.hasMoof = true;
    if (this.fragmentReader) this.startFragmentTables();
  }

  /** A moof or mdat: read now when the movie is known, else when it is (or at the end). */
  private addFragmentBox(box: Box): void {
    if (this.fragmentReader) this.fragmentReader.add(box);
    else this.waiting.push(box);
  }

  /** The fragment reader, made (and given the boxes that waited for it) at the first need. */
  private fragments(): FragmentReader {
    if (this.fragmentReader) return this.fragmentReader;
    const reader = new FragmentReader(this.states, {
      fileSize: this.file.size,
      withSamples: this.withSamples,
      report: (severity, code, message, offset) => this.fragmentIssues.push(issue(severity, code, message, offset)),
      unknownTrack: (trackId, trafOffset) => this.unknownTrack(trackId, trafOffset),
    });
    this.fragmentReader = reader;
    if (this.hasMoof) this.startFragmentTables();
    for (const box of this.waiting.splice(0)) reader.add(box);
    return reader;
  }

  /** Before the first fragment: the tracks' sample tables become builders that fragments append to. */
  private startFragmentTables(): void {
    if (!this.withSamples) return;
    for (const state of this.states.values()) {
      if (state.builder) continue;
      const table = this.plainTables.get(state);
      state.builder = new SampleTableBuilder(Math.max(256, table?.count ?? 0));
      if (table) state.builder.append(table);
    }
  }

  private reportMovie(severity: Severity, code: string, message: string, offset: number): void {
    this.movieIssues.push(issue(severity, code, message, offset));
  }

  /** Tracks, timescales and fragment defaults from the (first) moov; fragments are read from here on. */
  private readMoov(moov: Box): void {
    this.moov = moov;
    const file = this.file;
    const report = this.reportMovie.bind(this);
    const mvex = childBox(moov, 'mvex');
    this.mvex = mvex;
    const mvhd = fieldsOf(childBox(moov, 'mvhd'), 'mvhd');
    if (!mvhd) report('error', 'MVHD_MISSING', 'moov has no mvhd', moov.offset);
    const movieTimescale = mvhd?.timescale ?? 0;
    file.movie = { timescale: movieTimescale, duration: mvhd?.duration ?? 0, nextTrackId: mvhd?.nextTrackId ?? 0 };
    const mehd = fieldsOf(childBox(mvex, 'mehd'), 'mehd');
    if (mehd) file.movie.fragmentDuration = mehd.fragmentDuration;
    const tracks: Track[] = [];
    file.movies.push({ offset: moov.offset, tracks });
    for (const trak of childBoxes(moov, 'trak')) {
      const track = describeTrack(trak, movieTimescale);
      tracks.push(track);
      if (this.states.has(track.id)) report('error', 'TRACK_ID_REPEATED', `track id ${track.id} used twice`, trak.offset);
      const stbl = childBox(childBox(childBox(trak, 'mdia'), 'minf'), 'stbl');
      const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
      if (stbl) {
        const reportTable = (severity: Severity, code: string, message: string, offset: number): void => report(severity, code, `track ${track.id}: ${message}`, offset);
        const table = buildSampleTable(stbl, this.maxSamples, file.size, reportTable, track.kind === 'audio');
        state.sampleCount = table.count;
        if (table.count > 0) state.nextDecodeTime = (table.dts[table.count - 1] ?? 0) + (table.duration[table.count - 1] ?? 0);
        this.plainTables.set(state, table);
      } else if (!(trak.truncated && trak.offset + trak.size > file.size)) {
        // (a trak the input ends inside may have its stbl past the cut, which BOX_TRUNCATED reports)
        report('error', 'STBL_MISSING', `track ${track.id} has no stbl`, trak.offset);
      }
      file.tracks.push(track);
      this.states.set(track.id, state);
    }
    this.readTrackDefaults(mvex, tracks);
    this.fragments();
  }

  /** trex fragment defaults, for the tracks of the moov whose mvex it is. */
  private readTrackDefaults(mvex: Box | undefined, tracks: readonly Track[]): void {
    for (const trex of childBoxes(mvex, 'trex')) {
      const f = fieldsOf(trex, 'trex');
      const track = f && tracks.find((t) => t.id === f.trackId);
      const state = track && this.states.get(track.id);
      if (f && track && state) {
        state.defaults = f;
        track.defaults = f;
      } else if (f) {
        this.reportMovie('warning', 'TREX_UNKNOWN_TRACK', `trex for track ${f.trackId}, which the moov does not have`, trex.offset);
      }
    }
  }

  /**
   * A moov after the first (recordings or HLS init and media segments joined end to end): the fragments
   * after it follow its trex defaults, and a track it adds is read as the first moov's are. The sample
   * tables keep one timescale per track: a track whose timescale changes is reported.
   */
  private readLaterMoov(moov: Box): void {
    this.repeatedMoovAt ??= moov.offset;
    const movieTimescale = fieldsOf(childBox(moov, 'mvhd'), 'mvhd')?.timescale ?? 0;
    const tracks = childBoxes(moov, 'trak').map((trak) => describeTrack(trak, movieTimescale));
    this.file.movies.push({ offset: moov.offset, tracks });
    for (const track of tracks) {
      const state = this.states.get(track.id);
      if (!state) {
        this.file.tracks.push(track);
        const added: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
        if (this.withSamples && this.hasMoof) added.builder = new SampleTableBuilder();
        this.states.set(track.id, added);
      } else if (track.timescale !== state.track.timescale) {
        this.reportMovie('warning', 'TIMESCALE_CHANGED', `track ${track.id}'s timescale changes from ${state.track.timescale} to ${track.timescale} in the moov at byte ${moov.offset}: its later fragments' times are counted in ${state.track.timescale}`, track.box?.offset ?? moov.offset);
      }
    }
    this.readTrackDefaults(childBox(moov, 'mvex'), tracks);
  }

  /** A media segment read with the tracks of its init segment. */
  private useInitSegment(tracks: readonly Track[]): void {
    for (const t of tracks) {
      const track: Track = { ...t, sampleCount: 0, edits: t.edits };
      delete track.samples;
      const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
      if (t.defaults) state.defaults = t.defaults;
      if (this.withSamples) state.builder = new SampleTableBuilder();
      this.file.tracks.push(track);
      this.states.set(track.id, state);
    }
  }

  /** A state for a track id that the moov (or init segment) did not describe. */
  private unknownTrack(trackId: number, trafOffset: number): TrackState {
    const timescale = this.options.timescales?.[trackId] ?? 0;
    if (this.moov) this.fragmentIssues.push(issue('error', 'TRAF_UNKNOWN_TRACK', `traf for track ${trackId}, which the moov does not have`, trafOffset));
    else if (timescale === 0 && !this.warnedTimescale) {
      this.warnedTimescale = true;
      this.fragmentIssues.push(issue('info', 'TIMESCALE_UNKNOWN', `no init segment or timescale for track ${trackId}: its times cannot be given in seconds`, trafOffset));
    }
    const track: Track = {
      id: trackId, handler: '', kind: 'other', timescale, duration: 0, codec: '', sampleEntryCount: 0,
      edits: [], presentationShift: 0, sampleCount: 0,
    };
    this.file.tracks.push(track);
    const state: TrackState = { track, nextDecodeTime: 0, sampleCount: 0, fragmentCount: 0 };
    if (this.withSamples) state.builder = new SampleTableBuilder();
    return state;
  }
}
