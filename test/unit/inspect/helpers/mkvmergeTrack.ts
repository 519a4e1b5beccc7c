// Rewrites the audio TrackEntry of a file mkvmerge wrote, for codec private data no encoder writes: the
// EBML Void mkvmerge leaves after Tracks takes up the change in length, so no cluster, cue or seek
// position moves.
import { elementIdValue, vintValue, vintWidth } from '../../../../src/formats/ebml/vint';
import { ElementId } from '../../../../src/formats/matroska/elementTable';
import { concat, element, idBytes, sizeBytes } from '../../formats/ebml/ebmlBytes';

const { Segment: SEGMENT, Tracks: TRACKS, TrackEntry: TRACK_ENTRY, TrackType: TRACK_TYPE, CodecID: CODEC_ID, CodecPrivate: CODEC_PRIVATE } = ElementId;
const { Audio: AUDIO, OutputSamplingFrequency: OUTPUT_SAMPLING_FREQUENCY, DefaultDuration: DEFAULT_DURATION, Void: VOID } = ElementId;

interface Child {
  id: number;
  start: number;
  dataStart: number;
  end: number;
}

/** The elements of known size in bytes[start, end) (mkvmerge writes no unknown sizes). */
function children(bytes: Uint8Array, start: number, end: number): Child[] {
  const out: Child[] = [];
  for (let at = start; at < end;) {
    const idWidth = vintWidth(bytes[at] ?? 0);
    const sizeWidth = vintWidth(bytes[at + idWidth] ?? 0);
    if (idWidth === 0 || sizeWidth === 0) throw new Error(`no element at ${at}`);
    const dataStart = at + idWidth + sizeWidth;
    const size = vintValue(bytes, at + idWidth, sizeWidth);
    out.push({ id: elementIdValue(bytes, at, idWidth), start: at, dataStart, end: dataStart + size });
    at = dataStart + size;
  }
  return out;
}

export interface AudioTrackEdit {
  /** The new CodecPrivate; null for none. */
  codecPrivate: Uint8Array | null;
  codecId?: string;
  /** Leave out DefaultDuration, so that laced frames are timed by what the codec private data says. */
  withoutDefaultDuration?: boolean;
  withoutOutputSamplingFrequency?: boolean;
}

/** A copy of `file` (mkvmerge's) with its audio track edited. */
export function editAudioTrack(file: Uint8Array, edit: AudioTrackEdit): Uint8Array {
  const [segment] = children(file, 0, file.length).filter((child) => child.id === SEGMENT);
  if (!segment) throw new Error('no Segment');
  const top = children(file, segment.dataStart, segment.end);
  const tracksAt = top.findIndex((child) => child.id === TRACKS);
  const tracks = top[tracksAt];
  const padding = top[tracksAt + 1];
  if (!tracks || padding?.id !== VOID) throw new Error('no Void after Tracks');
  const entries = children(file, tracks.dataStart, tracks.end).map((entry) => {
    const fields = children(file, entry.dataStart, entry.end);
    const audio = fields.some((field) => field.id === TRACK_TYPE && file[field.dataStart] === 2);
    if (!audio) return file.subarray(entry.start, entry.end);
    const replaced: number[] = [CODEC_PRIVATE, ...(edit.codecId === undefined ? [] : [CODEC_ID]), ...(edit.withoutDefaultDuration ? [DEFAULT_DURATION] : [])];
    const kept = fields.filter((field) => !replaced.includes(field.id)).map((field) => {
      if (field.id !== AUDIO || !edit.withoutOutputSamplingFrequency) return file.subarray(field.start, field.end);
      return element(AUDIO, ...children(file, field.dataStart, field.end).filter((inner) => inner.id !== OUTPUT_SAMPLING_FREQUENCY).map((inner) => file.subarray(inner.start, inner.end)));
    });
    const codecId = edit.codecId === undefined ? [] : [element(CODEC_ID, new TextEncoder().encode(edit.codecId))];
    return element(TRACK_ENTRY, ...kept, ...codecId, ...(edit.codecPrivate ? [element(CODEC_PRIVATE, edit.codecPrivate)] : []));
  });
  const newTracks = element(TRACKS, ...entries);
  const room = padding.end - tracks.start - newTracks.length;
  if (room < 2) throw new Error('the Void after Tracks is too small');
  // The Void's size field takes 1 byte up to 126 bytes of data, else 8 bytes.
  const width = room - 2 <= 126 ? 1 : 8;
  const newVoid = concat(idBytes(VOID), sizeBytes(room - 1 - width, width), new Uint8Array(room - 1 - width));
  return concat(file.subarray(0, tracks.start), newTracks, newVoid, file.subarray(padding.end));
}
