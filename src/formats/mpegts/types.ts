import type { Issue, Severity } from '../issues';
import type { Descriptor } from './psi';
import type { StreamKind } from './streamTypes';
import type { PayloadRanges, PcrTable, PesTable } from './tables';

export interface MpegTsOptions {
  /** Record where each PES's payload bytes are, for `gatherPes` (default true). */
  ranges?: boolean;
  /** Issues kept per code; the rest are only counted in `issueCounts` (default 100). */
  maxIssuesPerCode?: number;
}

export interface TsProgram {
  number: number;
  pmtPid: number;
  /** From the PMT; undefined until one was read. */
  pcrPid?: number;
  pmtVersion?: number;
  descriptors: Descriptor[];
  /** Elementary stream PIDs, in PMT order. */
  streams: number[];
}

export interface TsStream {
  pid: number;
  programNumber: number;
  /** Where the first PMT that names it declares it (its stream_type byte). */
  offset: number;
  streamType: number;
  /** 'h264', 'hevc', 'aac', ...; '' when unknown. */
  codec: string;
  /** 'H.264 / AVC video', ... */
  name: string;
  kind: StreamKind;
  /** ISO 639 language descriptor. */
  language?: string;
  /** Registration descriptor format_identifier ('HEVC', 'Opus', ...). */
  registration?: string;
  descriptors: Descriptor[];
  packets: number;
  pesCount: number;
  /** Payload ranges of its PES packets (unless `ranges: false`). */
  payload?: PayloadRanges;
}

export type PidKind = 'pat' | 'pmt' | 'pes' | 'section' | 'null' | 'unknown';

export interface PidInfo {
  pid: number;
  kind: PidKind;
  packets: number;
  ccErrors: number;
}

export interface MpegTsFile {
  /** 188, 192 (M2TS with a 4-byte timecode prefix) or 204 (with 16 Reed-Solomon bytes). */
  packetSize: number;
  size: number;
  packetCount: number;
  transportStreamId?: number;
  programs: TsProgram[];
  streams: TsStream[];
  /** Every PID seen, ascending. */
  pids: PidInfo[];
  pes: PesTable;
  pcr: PcrTable;
  issues: Issue[];
  /** Occurrences of each issue code, including those past `maxIssuesPerCode`. */
  issueCounts: Record<string, number>;
}

export type Report = (severity: Severity, code: string, message: string, offset: number) => void;
