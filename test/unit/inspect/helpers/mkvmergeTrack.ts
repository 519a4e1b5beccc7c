// Rewrites the audio TrackEntry of a file mkvmerge wrote, for codec private data no encoder writes: the
// EBML Void mkvmerge leaves after Tracks takes up the change in length, so no cluster, cue or seek
// position moves.
import { concat, element, idBytes, sizeBytes } from '../../formats/ebml/ebmlBytes';

const SEGMENT = 0x18538067;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const CODEC_ID = 0x86;
const CODEC_PRIVATE = 0x63a2;
const AUDIO = 0xe1;
const OUTPUT_SAMPLING_FREQUENCY = 0x78b5;
const DEFAULT_DURATION = 0x23e383;
const VOID = 0xec;

interface Child {
  id: number;
  start: number;
  dataStart: number;
  end: number;
}

/** An EBML VINT at `at`: its value (marker bit removed for sizes) and width. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; width: number } {
  const first = bytes[at] ?? 0;
  const width = Math.clz32(first) - 23;
  let value = keepMarker ? first : first & (0xff >> width);
  for (let i = 1; i < width; i++) value = value * 256 + (bytes[at + i] ?? 0);
  return { value, width };
}

function children(bytes: Uint8Array, start: number, end: number): Child[] {
  const out: Child[] = [];
  for (let at = start; at < end;) {
    const id = vint(bytes, at, true);
    const size = vint(bytes, at + id.width, false);
    const dataStart = at + id.width + size.width;
    out.push({ id: id.value, start: at, dataStart, end: dataStart + size.value });
    at = dataStart + size.value;
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
    const replaced = [CODEC_PRIVATE, ...(edit.codecId === undefined ? [] : [CODEC_ID]), ...(edit.withoutDefaultDuration ? [DEFAULT_DURATION] : [])];
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
