// The inspector's one model of a media file, whatever its container: what `kvs-inspect --json` prints
// and what the extension's inspector shows. Offsets are absolute byte offsets in the input; times are
// milliseconds on the container's timeline.
import type { FieldLocation, Fields } from '../bits/syntax';
import type { Issue } from '../issues';
import type { KvsFragmentMetadata } from '../matroska/kvsTags';

export type ContainerFormat = 'matroska' | 'webm' | 'mp4' | 'fragmented-mp4' | 'mpeg-ts' | 'unknown';

/** 'aac-latm': AAC in LATM/LOAS framing (MPEG-TS), which carries its AudioSpecificConfig in the frames. */
export type CodecFamily = 'h264' | 'h265' | 'aac' | 'aac-latm' | 'g711-alaw' | 'g711-mulaw' | 'pcm' | 'other';

export interface InspectionReport {
  format: ContainerFormat;
  size: number;
  tracks: TrackReport[];
  fragments: FragmentReport[];
  /** Every frame (Matroska block, MP4 sample, TS access unit) in file order. */
  frames: FrameTable;
  issues: Issue[];
}

export interface TrackReport {
  /** Matroska TrackNumber, MP4 track_ID, MPEG-TS PID. */
  number: number;
  /** Where the track is declared: the Matroska TrackEntry, the MP4 trak box, the MPEG-TS PMT's entry for the PID. */
  offset?: number;
  kind: 'video' | 'audio' | 'other';
  /** As the container names the codec: `V_MPEG4/ISO/AVC`, `avc1`, `stream_type 0x1b`. */
  codecId: string;
  family: CodecFamily;
  /** RFC 6381 codec string (`avc1.64001f`, `hvc1.1.6.L93.B0`, `mp4a.40.2`). */
  codec?: string;
  /** Readable summary, e.g. "H.264 High@L3.1" or "AAC LC". */
  codecName?: string;
  /** Display size after cropping (video). */
  width?: number;
  height?: number;
  /** Size of the decoded pictures before cropping (video). */
  codedWidth?: number;
  codedHeight?: number;
  /**
   * H.264: frame_mbs_only_flag 0 (pictures may be fields), unless the frames read are all progressive frames
   * (FIELD_CODING_UNUSED); H.265: field_seq_flag 1 (each picture is a field, `height` a field's).
   */
  interlaced?: boolean;
  /** The VUI's sample (pixel) aspect ratio, width:height. */
  sampleAspectRatio?: [number, number];
  /**
   * The pixel aspect ratio the container declares, width:height in lowest terms: MP4's pasp, or Matroska's
   * DisplayWidth:DisplayHeight against PixelWidth:PixelHeight. Players may follow it instead of the VUI's.
   */
  containerAspectRatio?: [number, number];
  frameRate?: number;
  /**
   * How many frames a frame may follow in decode order and precede in presentation order: the SPS's
   * max_num_reorder_frames (H.264 VUI, when present) or sps_max_num_reorder_pics (H.265, highest sub-layer).
   */
  maxReorderFrames?: number;
  /** The bit rate and coded picture buffer the SPS's HRD parameters declare (video). */
  hrd?: HrdReport;
  /** Degrees the container turns the picture counterclockwise for display (an MP4 tkhd matrix; ffprobe's display matrix rotation). */
  rotation?: number;
  sampleRate?: number;
  /** Audio samples per frame at `sampleRate` (AAC: 1024, or 2048 where SBR doubles the output rate). */
  samplesPerFrame?: number;
  channels?: number;
  /** Video: the luma bit depth; audio: bits per sample of uncompressed audio (PCM, G.711). */
  bitDepth?: number;
  /** Ticks per second of the track's timestamps as the container stores them. */
  timescale?: number;
  /** MPEG-TS: the program_number of the program whose PMT lists the stream. */
  program?: number;
  codecPrivate?: CodecPrivateReport;
  /**
   * The input ends inside the track's declaration (TrackEntry, trak): what lies past the cut is missing,
   * so the track is shown as far as it goes but not judged.
   */
  declarationCut?: true;
}

/**
 * The program a KVS stream made of an MPEG-TS with several programs would carry, and that its fragments
 * follow: the program of the first H.264/H.265 track (which cuts the fragments), else of the first
 * track. Undefined with one program (or none named).
 */
export function leadProgram(tracks: readonly TrackReport[]): number | undefined {
  const programs = new Set(tracks.map((track) => track.program));
  if (programs.size < 2) return undefined;
  return (tracks.find((track) => track.family === 'h264' || track.family === 'h265') ?? tracks[0])?.program;
}

export interface HrdReport {
  /** BitRate in bit/s and CpbSize in bits (H.264 E-37/E-38, H.265 E-48/E-49); constant bit rate (cbr_flag). */
  bitRate: number;
  cpbSize: number;
  cbr: boolean;
}

export interface CodecPrivateReport {
  /** AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord, AudioSpecificConfig, WAVEFORMATEX, BITMAPINFOHEADER. */
  type: string;
  offset: number;
  size: number;
  /** The record's fields, named as in its specification. */
  fields: Fields;
  vps?: Fields[];
  sps?: Fields[];
  pps?: Fields[];
  /**
   * Where every decoded field is in the input, for the hex view: `path` is the field's path in this
   * object (`fields.AVCProfileIndication`, `sps[0].vui_parameters.time_scale`), `bitOffset` counts from
   * the start of its record or (emulation-prevention bytes removed) NAL unit, `byteOffset` is absolute.
   */
  locations: FieldLocation[];
}

export interface FragmentReport {
  index: number;
  offset: number;
  size: number;
  /** Time of the fragment's first frame (presentation time), null when unknown. */
  startMs: number | null;
  durationMs: number | null;
  frameCount: number;
  /** The first video frame (or first frame, with no video) is a keyframe. */
  keyframeStart: boolean;
  kvs?: KvsFragmentMetadata;
}

/** How messages name a fragment: "Fragment 3 (byte 123456)". */
export function fragmentLabel(fragment: Pick<FragmentReport, 'index' | 'offset'>): string {
  return `Fragment ${fragment.index} (byte ${fragment.offset})`;
}

/** Frame rows in columns: long recordings have 10^5–10^6 frames. */
export interface FrameTable {
  count: number;
  track: Uint32Array;
  fragment: Int32Array;
  /**
   * Where the frame is: its first byte (Matroska, MP4); in MPEG-TS, a video frame (a PES packet) at the
   * TS packet where its PES starts, as ffprobe's pos, and an audio frame (several to a PES) at its own
   * header. `size` counts the frame's own bytes.
   */
  offset: Float64Array;
  size: Float64Array;
  /** Presentation and decode times in ms; decode times are NaN in Matroska, which stores none. */
  ptsMs: Float64Array;
  dtsMs: Float64Array;
  /** How long the frame plays where it is known per frame (MP4 sample durations, laced Opus in Matroska); NaN elsewhere. */
  durationMs: Float64Array;
  keyframe: Uint8Array;
  /** What else the container says of each frame: `FrameFlag` bits, and the lacing (`frameFlagNames`). */
  flags: Uint8Array;
  /** Per frame, what its NAL units are (H.264/H.265 frames, when every frame was analysed; `inspect`'s frameNals). */
  nal?: (FrameNalSummary | undefined)[];
}

/** What one H.264/H.265 frame is made of, in decode order. */
export interface FrameNalSummary {
  /** Length-prefixed (MKV, MP4) or Annex-B (MPEG-TS), as the frame really is; 'unknown' when neither parses. */
  framing: 'length-prefixed' | 'annex-b' | 'unknown';
  /** The length prefix's size in bytes that parses the frame (length-prefixed framing). */
  lengthSize?: number;
  /** nal_unit_type of each NAL unit (H.264 Table 7-1, H.265 Table 7-1). */
  nalTypes: readonly number[];
  /** Their names: `SPS`, `IDR slice`, `non-IDR slice`, `SEI`; `VPS_NUT`, `IDR_W_RADL`, `TRAIL_R`. */
  nalNames: readonly string[];
  /** Slice types of the frame's slices, each once, in order of appearance (`I`, `P`, `B`). */
  sliceTypes: readonly string[];
  /** The payloadType of each message of the frame's SEI NAL units, in order (6: recovery point); absent without SEI. */
  seiPayloadTypes?: readonly number[];
}

export function frameTable(capacity: number): FrameTable {
  return { count: 0, ...frameColumns(capacity) };
}

/** The columns of a frame table (all but `nal`, which only some tables have). */
function frameColumns(capacity: number): Omit<FrameTable, 'count' | 'nal'> {
  return {
    track: new Uint32Array(capacity),
    fragment: new Int32Array(capacity),
    offset: new Float64Array(capacity),
    size: new Float64Array(capacity),
    ptsMs: new Float64Array(capacity),
    dtsMs: new Float64Array(capacity),
    durationMs: new Float64Array(capacity),
    keyframe: new Uint8Array(capacity),
    flags: new Uint8Array(capacity),
  };
}

/** Bits of `FrameTable.flags`. */
export const FrameFlag = {
  /** Matroska: the block's invisible flag (decoded, not shown). */
  Invisible: 1,
  /** Matroska: the SimpleBlock's discardable flag; fragmented MP4: sample_is_depended_on 2 (no sample refers to it). */
  Discardable: 2,
  /** Matroska: the input ends inside the frame's block, so the frame's bytes are cut short. */
  Cut: 16,
} as const;

/** Bits 2–3 of `FrameTable.flags`: the lacing of the Matroska block a frame came from (its header's lacing bits). */
export const FRAME_LACING_SHIFT = 2;
const LACING_NAMES = [undefined, 'xiph', 'fixed', 'ebml'] as const;

export interface FrameFlagNames {
  invisible?: true;
  discardable?: true;
  /** The frame is one of several in a laced Matroska block. */
  lacing?: 'xiph' | 'fixed' | 'ebml';
  cut?: true;
}

/** The set flags of a frame, by name (none for most frames). */
export function frameFlagNames(flags: number): FrameFlagNames {
  const names: FrameFlagNames = {};
  if (flags & FrameFlag.Invisible) names.invisible = true;
  if (flags & FrameFlag.Discardable) names.discardable = true;
  const lacing = LACING_NAMES[(flags >> FRAME_LACING_SHIFT) & 3];
  if (lacing) names.lacing = lacing;
  if (flags & FrameFlag.Cut) names.cut = true;
  return names;
}

export interface FrameRow {
  track: number;
  fragment: number;
  offset: number;
  size: number;
  ptsMs: number;
  dtsMs: number;
  keyframe: boolean;
  /** `FrameTable.flags` bits (0 when not given). */
  flags?: number;
  /** The frame's own duration, when the container gives one per frame. */
  durationMs?: number;
}

/** Appends a row, growing the table when it is full. */
export function pushFrame(table: FrameTable, row: FrameRow): void {
  if (table.count === table.track.length) growFrameTable(table, Math.max(64, table.count * 2));
  const i = table.count++;
  table.track[i] = row.track;
  table.fragment[i] = row.fragment;
  table.offset[i] = row.offset;
  table.size[i] = row.size;
  table.ptsMs[i] = row.ptsMs;
  table.dtsMs[i] = row.dtsMs;
  table.durationMs[i] = row.durationMs ?? NaN;
  table.keyframe[i] = row.keyframe ? 1 : 0;
  table.flags[i] = row.flags ?? 0;
}

function growFrameTable(table: FrameTable, capacity: number): void {
  const grown = frameColumns(capacity);
  for (const name of Object.keys(grown) as (keyof typeof grown)[]) {
    const column: { set(rows: ArrayLike<number>): void } = grown[name];
    column.set(table[name]);
  }
  Object.assign(table, grown);
}

/** How a rotation (degrees counterclockwise, TrackReport.rotation) reads. */
export function rotationText(degrees: number): string {
  if (Math.abs(degrees) === 180) return 'upside down';
  return `${Math.abs(degrees)}° ${degrees > 0 ? 'counterclockwise' : 'clockwise'}`;
}
