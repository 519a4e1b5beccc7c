// The human-readable form of an InspectionReport (kvs-inspect without --json).
import type { Fields, FieldValue } from '../bits/syntax';
import { sameAspect } from '../checks/aspectRatio';
import { seiPayloadName } from '../codecs/framing/seiPayloadNames';
import { issueCount, type Issue } from '../issues';
import { isoTime } from '../isoTime';
import { pushAll } from '../pushAll';
import type { StructureWalk } from './jsonReport';
import { frameFlagNames, rotationText, type CodecPrivateReport, type FragmentReport, type FrameNalSummary, type InspectionReport, type TrackReport } from './report';

const FORMAT_NAMES: Record<InspectionReport['format'], string> = {
  matroska: 'Matroska',
  webm: 'WebM',
  mp4: 'MP4',
  'fragmented-mp4': 'fragmented MP4',
  'mpeg-ts': 'MPEG-TS',
  unknown: 'unknown format',
};

export interface TextOptions {
  name: string;
  frames?: boolean;
}

export function formatReport(report: InspectionReport, options: TextOptions): string {
  const lines: string[] = [];
  const errors = issueCount(report.issues, 'error');
  lines.push(
    `${options.name}: ${FORMAT_NAMES[report.format]}, ${report.size.toLocaleString('en-US')} bytes, ${plural(report.tracks.length, 'track')}, ${plural(report.fragments.length, 'fragment')}, ${plural(report.frames.count, 'frame')}`,
  );
  lines.push('', 'Tracks');
  for (const track of report.tracks) lines.push(...trackLines(track));
  if (report.fragments.length > 0) pushAll(lines, ['', 'Fragments', ...fragmentLines(report.fragments)]);
  if (options.frames) pushAll(lines, ['', 'Frames', ...frameLines(report)]);
  lines.push('', errors > 0 ? `Issues (${plural(errors, 'error')})` : 'Issues');
  pushAll(lines, report.issues.length > 0 ? report.issues.flatMap(issueLines) : ['  none']);
  return `${lines.join('\n')}\n`;
}

/** Characters of structure text per `write`. */
const STRUCTURE_CHUNK = 256 * 1024;

/**
 * The `--tree` section, written as the structure is walked: one line per box, element or packet
 * (offset, type, name, size, value), its fields under it, its children indented.
 */
export function writeStructureText(structure: StructureWalk, write: (text: string) => void): void {
  let chunk = '\nStructure\n';
  structure((node, depth) => {
    const indent = '  '.repeat(depth + 1);
    chunk += `${indent}${node.offset} ${node.type}${node.name ? ` ${node.name}` : ''}, ${plural(node.size, 'byte')}${node.value === undefined ? '' : `: ${shown(node.value)}`}\n`;
    for (const field of node.fields ?? []) chunk += `${indent}    ${field.byteOffset} ${field.path} = ${shown(field.value)}\n`;
    if (chunk.length >= STRUCTURE_CHUNK) {
      write(chunk);
      chunk = '';
    }
  });
  write(chunk);
}

/** A value for the terminal: control characters (a four-character code of zeros, say) as \xNN. */
function shown(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The container's pixel aspect ratio is news when it is not the SAR the line shows (or, without one, 1:1). */
function containerAspectShown({ containerAspectRatio: container, sampleAspectRatio: sar = [1, 1] }: TrackReport): boolean {
  return container !== undefined && !sameAspect(container, sar);
}

function trackLines(track: TrackReport): string[] {
  const format =
    track.kind === 'video'
      ? [
          track.width && track.height ? `${track.width}x${track.height}` : '',
          track.codedWidth && (track.codedWidth !== track.width || track.codedHeight !== track.height) ? `(coded ${track.codedWidth}x${track.codedHeight})` : '',
          track.sampleAspectRatio && track.sampleAspectRatio[0] !== track.sampleAspectRatio[1] ? `SAR ${track.sampleAspectRatio.join(':')}` : '',
          containerAspectShown(track) ? `container PAR ${track.containerAspectRatio?.join(':') ?? ''}` : '',
          track.interlaced ? 'interlaced' : '',
          track.rotation ? `turned ${rotationText(track.rotation)}` : '',
          track.frameRate ? `${round(track.frameRate)} fps` : '',
          track.hrd ? `HRD ${kbits(track.hrd.bitRate)}/s ${track.hrd.cbr ? 'CBR' : 'VBR'}, buffer ${kbits(track.hrd.cpbSize)}` : '',
        ]
      : track.kind === 'audio'
        ? [track.sampleRate ? `${track.sampleRate} Hz` : '', track.channels ? plural(track.channels, 'channel') : '', track.bitDepth ? `${track.bitDepth}-bit` : '']
        : [];
  const cut = track.declarationCut ? '(declaration cut by the end of the input)' : '';
  const head = `  ${track.number} ${track.kind.padEnd(5)} ${track.codecId}  ${[track.codec, track.codecName, ...format, cut].filter(Boolean).join('  ')}`;
  return [head, ...(track.codecPrivate ? codecPrivateLines(track.codecPrivate) : [])];
}

function kbits(bits: number): string {
  return `${round(bits / 1000)} kbit`;
}

function codecPrivateLines(cpd: CodecPrivateReport): string[] {
  const lines = [`      ${cpd.type}, ${plural(cpd.size, 'byte')} at offset ${cpd.offset}`];
  lines.push(...wrap(flatten(cpd.fields), '        '));
  for (const [name, sets] of [['VPS', cpd.vps], ['SPS', cpd.sps], ['PPS', cpd.pps]] as const) {
    sets?.forEach((fields, index) => {
      lines.push(`      ${name}${sets.length > 1 ? ` ${index}` : ''}:`);
      lines.push(...wrap(flatten(fields), '        '));
    });
  }
  return lines;
}

function fragmentLines(fragments: readonly FragmentReport[]): string[] {
  // (A producer's end-of-fragment mark alone fills none of the KVS columns.)
  const kvs = fragments.some(({ kvs: k }) => k && (k.fragmentNumber ?? k.producerTimestampMs ?? k.serverTimestampMs ?? k.errorCode ?? k.errorId) !== undefined);
  const header = ['  #', 'offset', 'size', 'start ms', 'duration ms', 'frames', 'key', ...(kvs ? ['fragment number', 'producer time', 'server time', 'error'] : [])];
  const rows = fragments.map((f) => [
    `  ${f.index}`,
    String(f.offset),
    String(f.size),
    f.startMs === null ? '-' : String(round(f.startMs)),
    f.durationMs === null ? '-' : String(round(f.durationMs)),
    String(f.frameCount),
    f.keyframeStart ? 'yes' : 'NO',
    ...(kvs
      ? [f.kvs?.fragmentNumber ?? '', optionalIsoTime(f.kvs?.producerTimestampMs), optionalIsoTime(f.kvs?.serverTimestampMs), [f.kvs?.errorCode, f.kvs?.errorId].filter(Boolean).join(' ')]
      : []),
  ]);
  return table([header, ...rows]);
}

function frameLines(report: InspectionReport): string[] {
  const { frames } = report;
  const nal = frames.nal;
  const flagged = frames.flags.subarray(0, frames.count).some((flags) => flags !== 0);
  const decodeTimed = frames.dtsMs.subarray(0, frames.count).some((dts) => !Number.isNaN(dts)); // not Matroska's
  const rows = [['  track', 'fragment', 'offset', 'size', 'pts ms', ...(decodeTimed ? ['dts ms'] : []), 'key', ...(flagged ? ['flags'] : []), ...(nal ? ['NAL units'] : [])]];
  for (let i = 0; i < frames.count; i++) {
    const row = [`  ${frames.track[i]}`, String(frames.fragment[i]), String(frames.offset[i]), String(frames.size[i]), milliseconds(frames.ptsMs[i]), ...(decodeTimed ? [milliseconds(frames.dtsMs[i])] : []), frames.keyframe[i] ? 'K' : ''];
    if (flagged) row.push(flagsText(frames.flags[i] ?? 0));
    const summary = nal?.[i];
    if (summary) row.push(nalText(summary));
    rows.push(row);
  }
  return table(rows);
}

/** `discardable, xiph lacing`: the frame's flags by name. */
function flagsText(flags: number): string {
  const { invisible, discardable, lacing, cut } = frameFlagNames(flags);
  return [invisible && 'invisible', discardable && 'discardable', lacing && `${lacing} lacing`, cut && 'cut short'].filter(Boolean).join(', ');
}

/**
 * `SEI, IDR slice (I); SEI: recovery_point`: the NAL units in order, the slice types, then the SEI
 * messages (the framing is in the JSON rows, and an issue when wrong).
 */
function nalText(summary: FrameNalSummary): string {
  const slices = summary.sliceTypes.length > 0 ? ` (${summary.sliceTypes.join(', ')})` : '';
  const sei = summary.seiPayloadTypes?.length ? `; SEI: ${summary.seiPayloadTypes.map(seiPayloadName).join(', ')}` : '';
  return `${summary.nalNames.join(', ')}${slices}${sei}`;
}

function issueLines(found: Issue): string[] {
  const lines = [`  ${found.severity.padEnd(7)} ${found.code} at byte ${found.offset}: ${found.message}`];
  if (found.hint) lines.push(`          fix: ${found.hint}`);
  return lines;
}

/** `name=value` pairs of a field tree, nested structures as dotted names. */
function flatten(fields: Fields, prefix = ''): string[] {
  return Object.entries(fields).flatMap(([name, value]) => flattenValue(`${prefix}${name}`, value));
}

function flattenValue(name: string, value: FieldValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item !== 'object' || item === null)) return [`${name}=[${value.map((item) => item ?? '-').join(',')}]`];
    return value.flatMap((item, index) => flattenValue(`${name}[${index}]`, item));
  }
  if (typeof value === 'object') return flatten(value as Fields, `${name}.`);
  // Bit sets (general_profile_compatibility_flags, general_constraint_indicator_flags) read as bits in hex.
  if (typeof value === 'number' && name.endsWith('_flags') && value > 1) return [`${name}=0x${value.toString(16)}`];
  return [`${name}=${value}`];
}

function wrap(parts: readonly string[], indent: string, width = 110): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const whole of parts) {
    // A value longer than a line (an SEI or a PPS in hex) is cut: the JSON report has all of it.
    const room = width - indent.length;
    const part = whole.length > room ? `${whole.slice(0, room - 40)}… (${whole.length} characters; --json has all)` : whole;
    if (line.length + part.length + 1 > width && line.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${part} `;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

function table(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, column) => rows.reduce((widest, row) => Math.max(widest, row[column]?.length ?? 0), 0));
  return rows.map((row) => row.map((cell, column) => cell.padEnd((widths[column] ?? 0))).join('  ').trimEnd());
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A frame time; '-' when unknown (NaN: its track has no timescale). */
function milliseconds(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : String(round(value));
}

function optionalIsoTime(ms: number | undefined): string {
  return ms === undefined ? '' : isoTime(ms);
}
