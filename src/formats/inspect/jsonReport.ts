// The `kvs-inspect --json` document: plain JSON, frames as rows only when asked for. Bigints (64-bit
// fields) become decimal strings while the document is built, so it serialises without a replacer.
import { frameFlagNames, type FragmentReport, type FrameFlagNames, type FrameNalSummary, type FrameRow, type FrameTable, type InspectionReport, type TrackReport } from './report';
import type { Issue } from '../issues';
import { jsonItem, jsonText } from './jsonText';
import type { StructureNode, StructureVisitor } from './structure';

/**
 * A frame row of the document: the report's FrameRow with its flags by name (only those set), and its
 * NAL units for an analysed H.264/H.265 frame.
 */
export type JsonFrame = Omit<FrameRow, 'flags'> & FrameFlagNames & Partial<FrameNalSummary>;

export interface JsonReport {
  format: InspectionReport['format'];
  size: number;
  tracks: TrackReport[];
  fragments: FragmentReport[];
  frames?: JsonFrame[];
  issues: Issue[];
  /** With `--tree`: written by writeJsonReport only (see walkStructure). */
  structure?: StructureNode[];
}

/** The document as one object (frame rows as objects: for small inputs and tests; the CLI streams it). */
export function toJsonReport(report: InspectionReport, withFrames: boolean): JsonReport {
  const json = jsonHead(report);
  if (withFrames) {
    const { frames } = report;
    json.frames = [];
    for (let i = 0; i < frames.count; i++) json.frames.push(frameRow(frames, i));
  }
  return json;
}

/** The document as text: see jsonText for the layout. */
export function stringifyReport(json: JsonReport): string {
  return jsonText(json);
}

/** Frame rows per chunk written: about 100 bytes each. */
const ROWS_PER_CHUNK = 2048;

/** Walks a structure (walkStructure bound to its source). */
export type StructureWalk = (visit: StructureVisitor) => void;

/**
 * Writes the `--json` document in pieces, never holding it whole: laid out like stringifyReport, the
 * frame rows one compact object per line, `ROWS_PER_CHUNK` rows per `write`. The pieces make one JSON
 * document with the same values as stringifyReport(toJsonReport(...)), and with `structure` its nodes
 * as they are walked.
 */
export function writeJsonReport(report: InspectionReport, withFrames: boolean, write: (text: string) => void, structure?: StructureWalk): void {
  const head = jsonHead(report);
  const fields = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${jsonText(value, '  ')}`);
  write(`{\n${fields.join(',\n')}`);
  if (structure) writeStructureJson(structure, write);
  if (!withFrames) {
    write('\n}\n');
    return;
  }
  write(',\n  "frames": [');
  const { frames } = report;
  const nalJson = nalJsonCache();
  let chunk = '';
  for (let i = 0; i < frames.count; i++) {
    chunk += `${i === 0 ? '' : ','}\n    ${frameJson(frames, i, nalJson)}`;
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      write(chunk);
      chunk = '';
    }
  }
  write(`${chunk}${frames.count > 0 ? '\n  ' : ''}]\n}\n`);
}

/** Node indent at a depth: nodes at 4 spaces, their members 2 deeper, their children 4 deeper. */
const nodeIndent = (depth: number): string => ' '.repeat(4 + 4 * depth);

/**
 * The tree handed over node by node as `,\n  "structure": [...]`, laid out as jsonText lays the whole tree
 * out. A node is written when the next one comes, which tells whether it has children (a node without is
 * a one-line record when its members are few and primitive).
 */
function writeStructureJson(structure: StructureWalk, write: (text: string) => void): void {
  let chunk = ',\n  "structure": [';
  let pending: StructureNode | undefined;
  let pendingDepth = 0;
  let comma = '';
  const flush = (nextDepth: number): void => {
    if (!pending) return;
    const indent = nodeIndent(pendingDepth);
    if (nextDepth > pendingDepth) {
      const members = `${indent}  `;
      chunk += `${comma}\n${indent}{${Object.entries(pending).map(([key, value]) => `\n${members}${JSON.stringify(key)}: ${jsonText(value, members)}`).join(',')},\n${members}"children": [`;
      comma = '';
      return;
    }
    chunk += `${comma}\n${indent}${jsonItem(pending, indent)}`;
    comma = ',';
    // Close the children arrays (and their parents) that end here.
    for (let level = pendingDepth; level > nextDepth; level--) chunk += `\n${nodeIndent(level - 1)}  ]\n${nodeIndent(level - 1)}}`;
  };
  structure((node, depth) => {
    flush(depth);
    pending = node;
    pendingDepth = depth;
    if (chunk.length >= STRUCTURE_CHUNK) {
      write(chunk);
      chunk = '';
    }
  });
  flush(0);
  write(`${chunk}${pending ? '\n  ' : ''}]`);
}

/** Characters of structure JSON per `write`. */
const STRUCTURE_CHUNK = 256 * 1024;

/** Everything but the frames, bigints as strings. */
function jsonHead(report: InspectionReport): JsonReport {
  return {
    format: report.format,
    size: report.size,
    tracks: withoutBigints(report.tracks),
    fragments: withoutBigints(report.fragments),
    issues: withoutBigints(report.issues),
  };
}

/** A copy of plain data (objects, arrays, primitives) with bigints as decimal strings; the value itself when it has none. */
function withoutBigints<T>(value: T): T {
  return hasBigint(value) ? (convertBigints(value) as T) : value;
}

function hasBigint(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some(hasBigint);
}

function convertBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(convertBigints);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, convertBigints(item)]));
}

function frameRow(frames: FrameTable, i: number): JsonFrame {
  return {
    track: frames.track[i] ?? 0,
    fragment: frames.fragment[i] ?? 0,
    offset: frames.offset[i] ?? 0,
    size: frames.size[i] ?? 0,
    ptsMs: frames.ptsMs[i] ?? 0,
    dtsMs: frames.dtsMs[i] ?? 0,
    ...(Number.isFinite(frames.durationMs[i]) ? { durationMs: frames.durationMs[i] } : {}),
    keyframe: frames.keyframe[i] === 1,
    ...frameFlagNames(frames.flags[i] ?? 0),
    ...frames.nal?.[i],
  };
}

/** JSON.stringify(frameRow(frames, i)) without the object. */
function frameJson(frames: FrameTable, i: number, nalJson: NalJson): string {
  const nal = frames.nal?.[i];
  const flags = frames.flags[i] ?? 0;
  const duration = frames.durationMs[i];
  return `{"track":${jsonNumber(frames.track[i])},"fragment":${jsonNumber(frames.fragment[i])},"offset":${jsonNumber(frames.offset[i])},"size":${jsonNumber(frames.size[i])},"ptsMs":${jsonNumber(frames.ptsMs[i])},"dtsMs":${jsonNumber(frames.dtsMs[i])}${Number.isFinite(duration) ? `,"durationMs":${jsonNumber(duration)}` : ''},"keyframe":${frames.keyframe[i] === 1 ? 'true' : 'false'}${flags ? `,${JSON.stringify(frameFlagNames(flags)).slice(1, -1)}` : ''}${nal ? nalJson(nal) : ''}}`;
}

type NalJson = (summary: FrameNalSummary) => string;

/** The summary's members as JSON (`,"framing":…`), written once per shared summary object. */
function nalJsonCache(): NalJson {
  const written = new Map<FrameNalSummary, string>();
  return (summary) => {
    let text = written.get(summary);
    if (text === undefined) {
      text = `,${JSON.stringify(summary).slice(1, -1)}`;
      written.set(summary, text);
    }
    return text;
  };
}

/** A number as JSON.stringify writes it (NaN and infinities as null). */
function jsonNumber(value: number | undefined): string {
  const n = value ?? 0;
  return Number.isFinite(n) ? String(n) : 'null';
}
