/** PAT and PMT sections (ISO/IEC 13818-1 §2.4.4). Sections arrive complete, CRC already checked. */

export interface PatEntry {
  programNumber: number;
  /** PMT PID (network PID for program 0). */
  pid: number;
}

export interface Pat {
  transportStreamId: number;
  version: number;
  currentNext: boolean;
  programs: PatEntry[];
}

export interface Descriptor {
  tag: number;
  /** Absolute offset of the descriptor's tag byte. */
  offset: number;
  length: number;
  /** Payload bytes (copied). */
  data: Uint8Array;
}

export interface PmtStream {
  streamType: number;
  pid: number;
  /** Absolute offset of its stream_type byte (approximate, as descriptor offsets, when the section spans packets). */
  offset: number;
  descriptors: Descriptor[];
}

export interface Pmt {
  programNumber: number;
  version: number;
  currentNext: boolean;
  pcrPid: number;
  descriptors: Descriptor[];
  streams: PmtStream[];
}

export type SectionProblem = { code: string; message: string; at: number };

/** Section header fields common to long-form sections. */
function longHeader(sec: Uint8Array): { tableIdExtension: number; version: number; currentNext: boolean } {
  return {
    tableIdExtension: ((sec[3] ?? 0) << 8) | (sec[4] ?? 0),
    version: ((sec[5] ?? 0) >> 1) & 0x1f,
    currentNext: ((sec[5] ?? 0) & 1) === 1,
  };
}

export function parsePat(sec: Uint8Array): Pat {
  const h = longHeader(sec);
  const programs: PatEntry[] = [];
  const end = sec.length - 4;
  for (let i = 8; i + 4 <= end; i += 4) {
    programs.push({ programNumber: ((sec[i] ?? 0) << 8) | (sec[i + 1] ?? 0), pid: (((sec[i + 2] ?? 0) & 0x1f) << 8) | (sec[i + 3] ?? 0) });
  }
  return { transportStreamId: h.tableIdExtension, version: h.version, currentNext: h.currentNext, programs };
}

function readDescriptors(sec: Uint8Array, start: number, end: number, base: number, problems: SectionProblem[]): Descriptor[] {
  const out: Descriptor[] = [];
  let i = start;
  while (i + 2 <= end) {
    const tag = sec[i] ?? 0;
    const length = sec[i + 1] ?? 0;
    if (i + 2 + length > end) {
      problems.push({ code: 'TS_DESCRIPTOR_TRUNCATED', message: `descriptor 0x${tag.toString(16)} runs past its loop`, at: base + i });
      break;
    }
    out.push({ tag, offset: base + i, length, data: sec.slice(i + 2, i + 2 + length) });
    i += 2 + length;
  }
  return out;
}

/** `base`: absolute offset of the section's first byte (for descriptor offsets; approximate when the section spans packets). */
export function parsePmt(sec: Uint8Array, base: number, problems: SectionProblem[]): Pmt {
  const h = longHeader(sec);
  const end = sec.length - 4;
  const pcrPid = (((sec[8] ?? 0) & 0x1f) << 8) | (sec[9] ?? 0);
  const infoLength = (((sec[10] ?? 0) & 0x0f) << 8) | (sec[11] ?? 0);
  let i = 12;
  const infoEnd = Math.min(end, i + infoLength);
  if (i + infoLength > end) problems.push({ code: 'TS_PMT_INVALID', message: 'program_info_length runs past the section', at: base + 10 });
  const descriptors = readDescriptors(sec, i, infoEnd, base, problems);
  i = infoEnd;
  const streams: PmtStream[] = [];
  while (i + 5 <= end) {
    const streamType = sec[i] ?? 0;
    const pid = (((sec[i + 1] ?? 0) & 0x1f) << 8) | (sec[i + 2] ?? 0);
    const esInfoLength = (((sec[i + 3] ?? 0) & 0x0f) << 8) | (sec[i + 4] ?? 0);
    const dStart = i + 5;
    const dEnd = Math.min(end, dStart + esInfoLength);
    if (dStart + esInfoLength > end) problems.push({ code: 'TS_PMT_INVALID', message: `ES_info_length of PID ${pid} runs past the section`, at: base + i + 3 });
    streams.push({ streamType, pid, offset: base + i, descriptors: readDescriptors(sec, dStart, dEnd, base, problems) });
    i = dEnd;
  }
  return { programNumber: h.tableIdExtension, version: h.version, currentNext: h.currentNext, pcrPid, descriptors, streams };
}
