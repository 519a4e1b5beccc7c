import type { ElementaryStreamDescriptorFields } from './boxes/esds';
import type { EditListEntry } from './boxes/elst';
import type { BitRateFields, ColourInformationFields, PixelAspectRatioFields } from './boxes/codecConfig';
import type { TrackExtendsFields } from './boxes/mvex';
import { childBox } from './find';
import { fieldsOf } from './registry';
import type { SampleTable } from './samples';
import type { Box, ByteRange } from './types';

export type TrackKind = 'video' | 'audio' | 'text' | 'metadata' | 'hint' | 'other';

/** Codec configuration bytes: the avcC/hvcC record, or for 'esds' the DecoderSpecificInfo (AudioSpecificConfig). */
export interface CodecConfig extends ByteRange {
  readonly type: string;
}

export interface Track {
  id: number;
  /** hdlr handler_type ('vide', 'soun', ...); '' when the track is only known from fragments. */
  handler: string;
  kind: TrackKind;
  /** mdhd timescale (units per second); 0 when unknown (a media segment read without its init segment). */
  timescale: number;
  /** mdhd duration in `timescale` units (0 for fragmented files with an empty moov). */
  duration: number;
  language?: string;
  /** Four-character code of the first sample entry ('avc1', 'hev1', 'mp4a'); '' when unknown. */
  codec: string;
  /** For protected entries ('encv'/'enca'): the original format from 'frma'. */
  originalCodec?: string;
  /** For protected entries: the protection scheme from 'schm' ('cenc', 'cbcs', ...), '' without one. */
  protectionScheme?: string;
  sampleEntryCount: number;
  /** Coded size from the visual sample entry. */
  width?: number;
  height?: number;
  /** Presentation size from tkhd. */
  displayWidth?: number;
  displayHeight?: number;
  /** Degrees the tkhd matrix turns the picture counterclockwise for display (ffprobe's display matrix rotation), when not 0. */
  rotation?: number;
  pixelAspectRatio?: PixelAspectRatioFields;
  colour?: ColourInformationFields;
  sampleRate?: number;
  channelCount?: number;
  sampleSize?: number;
  config?: CodecConfig;
  esds?: ElementaryStreamDescriptorFields;
  bitRate?: BitRateFields;
  edits: EditListEntry[];
  /**
   * What the edit list adds to decode and composition times to get presentation times, in `timescale`
   * units: leading empty edits minus the first edit's media_time (0 without an edit list).
   */
  presentationShift: number;
  /** Fragment defaults (trex). */
  defaults?: TrackExtendsFields;
  /** Samples (plain tables plus all fragments); 0 when not counted. */
  sampleCount: number;
  /** Per-sample table, unless `samples: false` was asked for. */
  samples?: SampleTable;
  /** The 'trak' box, when the track comes from a moov. */
  box?: Box;
}

export function trackKind(handler: string): TrackKind {
  switch (handler) {
    case 'vide': return 'video';
    case 'soun': return 'audio';
    case 'text': case 'sbtl': case 'subt': case 'clcp': return 'text';
    case 'meta': return 'metadata';
    case 'hint': return 'hint';
    default: return 'other';
  }
}

/**
 * The angle in degrees, in (-180, 180], by which a tkhd matrix { a, b, u, c, d, v, x, y, w } turns the
 * picture counterclockwise (x' = a·x + c·y, y' = b·x + d·y, y pointing down): from the 2x2 part,
 * normalised as ffmpeg's av_display_rotation_get reads a display matrix. Undefined for a degenerate one.
 */
function matrixRotation(matrix: readonly number[]): number | undefined {
  const [a = 0, b = 0, , c = 0, d = 0] = matrix;
  const scaleX = Math.hypot(a, c);
  const scaleY = Math.hypot(b, d);
  if (scaleX === 0 || scaleY === 0) return undefined;
  const degrees = Math.round((-Math.atan2(b / scaleY, a / scaleX) * 180 * 100) / Math.PI) / 100;
  return degrees === -180 ? 180 : degrees + 0; // + 0: no -0
}

/** Track description from a 'trak' box (samples are added by the caller). */
export function describeTrack(trak: Box, movieTimescale: number): Track {
  const tkhd = fieldsOf(childBox(trak, 'tkhd'), 'tkhd');
  const mdia = childBox(trak, 'mdia');
  const mdhd = fieldsOf(childBox(mdia, 'mdhd'), 'mdhd');
  const handler = fieldsOf(childBox(mdia, 'hdlr'), 'hdlr')?.handlerType ?? '';
  const stbl = childBox(childBox(mdia, 'minf'), 'stbl');
  const stsd = childBox(stbl, 'stsd');
  const entry = stsd?.children?.[0];
  const track: Track = {
    id: tkhd?.trackId ?? 0,
    handler,
    kind: trackKind(handler),
    timescale: mdhd?.timescale ?? 0,
    duration: mdhd?.duration ?? 0,
    codec: entry?.type ?? '',
    sampleEntryCount: stsd?.children?.length ?? 0,
    edits: [],
    presentationShift: 0,
    sampleCount: 0,
    box: trak,
  };
  if (mdhd) track.language = mdhd.language;
  if (tkhd && (tkhd.width > 0 || tkhd.height > 0)) {
    track.displayWidth = tkhd.width;
    track.displayHeight = tkhd.height;
  }
  const rotation = tkhd && matrixRotation(tkhd.matrix);
  if (rotation) track.rotation = rotation;
  if (entry) describeSampleEntry(track, entry);
  const edits = fieldsOf(childBox(childBox(trak, 'edts'), 'elst'), 'elst')?.entries;
  if (edits) {
    track.edits = edits;
    track.presentationShift = presentationShift(edits, track.timescale, movieTimescale);
  }
  return track;
}

function describeSampleEntry(track: Track, entry: Box): void {
  const f = entry.fields as { kind?: string } | undefined;
  if (f?.kind === 'visual') {
    const v = entry.fields as { width: number; height: number };
    track.width = v.width;
    track.height = v.height;
  } else if (f?.kind === 'audio') {
    const a = entry.fields as { sampleRate: number; channelCount: number; sampleSize: number };
    track.sampleRate = a.sampleRate;
    track.channelCount = a.channelCount;
    track.sampleSize = a.sampleSize;
  }
  for (const child of entry.children ?? []) {
    switch (child.type) {
      case 'avcC': case 'hvcC': {
        const rec = fieldsOf(child, child.type);
        if (rec && !track.config) track.config = { type: child.type, offset: rec.offset, bytes: rec.bytes };
        break;
      }
      case 'esds':
      case 'wave': {
        const esds = child.type === 'esds' ? fieldsOf(child, 'esds') : fieldsOf(child, 'wave')?.esds;
        if (esds && !track.esds) {
          track.esds = esds;
          if (esds.decoderSpecificInfo && !track.config) track.config = { type: 'esds', ...esds.decoderSpecificInfo };
        }
        break;
      }
      case 'dac3': case 'dec3':
        // The sample entry's channelcount is always 2 for AC-3 and E-AC-3 (ETSI TS 102 366 F.3).
        track.channelCount = fieldsOf(child, child.type)?.channelCount ?? track.channelCount;
        break;
      case 'dfLa': {
        const info = fieldsOf(child, 'dfLa')?.streamInfo;
        if (info) {
          track.sampleRate = info.sampleRate;
          track.channelCount = info.channelCount;
        }
        break;
      }
      case 'btrt': track.bitRate = fieldsOf(child, 'btrt'); break;
      case 'pasp': track.pixelAspectRatio = fieldsOf(child, 'pasp'); break;
      case 'colr': track.colour ??= fieldsOf(child, 'colr'); break;
      case 'sinf': {
        const frma = fieldsOf(childBox(child, 'frma'), 'frma');
        if (frma) track.originalCodec = frma.dataFormat;
        track.protectionScheme = fieldsOf(childBox(child, 'schm'), 'schm')?.schemeType ?? '';
        break;
      }
    }
  }
}

/**
 * Edit-list shift for the common case: empty edits (media_time -1) followed by one media edit.
 * Converts the empty edits from the movie timescale to the media timescale.
 */
export function presentationShift(edits: readonly EditListEntry[], timescale: number, movieTimescale: number): number {
  let empty = 0;
  for (const e of edits) {
    if (e.mediaTime === -1) {
      empty += e.segmentDuration;
      continue;
    }
    const emptyMedia = movieTimescale > 0 ? Math.round((empty * timescale) / movieTimescale) : 0;
    return emptyMedia - e.mediaTime;
  }
  return 0;
}
