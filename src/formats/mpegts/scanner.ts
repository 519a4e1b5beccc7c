import { issue, IssueLog, type Severity } from '../issues';
import { PesAssembler } from './pesAssembler';
import { parsePat, parsePmt, type SectionProblem } from './psi';
import { SectionAssembler } from './sectionAssembler';
import { refineByDescriptors, streamTypeInfo } from './streamTypes';
import { PcrBuilder, PesBuilder } from './tables';
import type { MpegTsFile, MpegTsOptions, PidInfo, PidKind, TsProgram, TsStream } from './types';
import { PCR_PERIOD, TIMESTAMP_PERIOD, Unwrapper } from './unwrap';

const NULL_PID = 0x1fff;
const KIND_UNKNOWN = 0;
const KIND_PAT = 1;
const KIND_PMT = 2;
const KIND_PES = 3;
const KIND_SECTION = 4;
const KIND_NAMES: PidKind[] = ['unknown', 'pat', 'pmt', 'pes', 'section'];

/**
 * Per-packet work: adaptation field (PCR, discontinuity, random access), continuity counters with
 * duplicates, dispatch of payloads to the PSI and PES assemblers, and PAT/PMT application. Per-PID
 * state lives in typed arrays indexed by PID, so a packet allocates nothing.
 */
export class TsScanner {
  private readonly issues: IssueLog;
  readonly pes = new PesBuilder();
  readonly pcr = new PcrBuilder();
  /**
   * The PTS/DTS clock of each program, by program number, continued past its wrap: the PIDs of a program
   * share its clock, while programs may each have their own, hours apart.
   */
  private readonly clocks = new Map<number, Unwrapper>();
  /** The PCR of each PCR PID, continued past its wrap. */
  private readonly pcrClocks = new Map<number, Unwrapper>();
  readonly programs = new Map<number, TsProgram>();
  readonly streams: TsStream[] = [];
  readonly pidPackets = new Uint32Array(8192);
  readonly ccErrors = new Uint32Array(8192);
  readonly lastCc = new Int8Array(8192).fill(-1);
  readonly duplicate = new Uint8Array(8192);
  /** payloadSignature of each PID's last packet, to tell a duplicate from a packet that only repeats the counter. */
  private readonly lastSignature = new Uint32Array(8192);
  readonly pidKind = new Uint8Array(8192);
  readonly es: (PesAssembler | undefined)[] = new Array<PesAssembler | undefined>(8192);
  readonly sections: (SectionAssembler | undefined)[] = new Array<SectionAssembler | undefined>(8192);
  readonly scrambledPids = new Set<number>();
  transportStreamId: number | undefined;
  packetCount = 0;
  private readonly withRanges: boolean;

  constructor(options: MpegTsOptions) {
    this.issues = new IssueLog(options.maxIssuesPerCode);
    this.withRanges = options.ranges !== false;
    this.pidKind[0] = KIND_PAT;
    this.sections[0] = this.sectionAssembler(0);
  }

  readonly report = (severity: Severity, code: string, message: string, offset: number): void => {
    this.issues.add(issue(severity, code, message, offset));
  };

  private sectionAssembler(pid: number): SectionAssembler {
    return new SectionAssembler(pid, this.report, (sec, offset) => {
      const tableId = sec[0] ?? 0;
      if (pid === 0 && tableId === 0x00) this.applyPat(sec, offset);
      else if (this.pidKind[pid] === KIND_PMT && tableId === 0x02) this.applyPmt(sec, offset);
    });
  }

  /** One 188-byte packet at b[p]; `abs` is its absolute offset. */
  packet(b: Uint8Array, p: number, abs: number): void {
    this.packetCount++;
    const b1 = b[p + 1] ?? 0;
    const b3 = b[p + 3] ?? 0;
    const pid = ((b1 & 0x1f) << 8) | (b[p + 2] ?? 0);
    this.pidPackets[pid] = (this.pidPackets[pid] ?? 0) + 1;
    if (b1 & 0x80) {
      this.report('error', 'TS_TRANSPORT_ERROR', `PID ${pid}: transport_error_indicator set; packet ignored`, abs);
      return;
    }
    if (pid === NULL_PID) return;
    const afc = (b3 >> 4) & 3;
    if (afc === 0) {
      this.report('error', 'TS_ADAPTATION_FIELD_CONTROL_RESERVED', `PID ${pid}: adaptation_field_control 00 (reserved); packet ignored`, abs);
      return;
    }
    const end = p + 188;
    let s = p + 4;
    let disc = false;
    let rai = false;
    if (afc & 2) {
      const afLen = b[p + 4] ?? 0;
      if (afLen > 183 || (afc === 3 && afLen > 182)) {
        this.report('error', 'TS_ADAPTATION_FIELD_INVALID', `PID ${pid}: adaptation_field_length ${afLen} leaves no room`, abs + 4);
        s = end;
      } else {
        s = p + 5 + afLen;
        if (afLen > 0) {
          const f = b[p + 5] ?? 0;
          disc = (f & 0x80) !== 0;
          rai = (f & 0x40) !== 0;
          if (f & 0x10 && afLen >= 7) this.readPcr(b, p + 6, pid, abs);
        }
      }
    }
    if ((afc & 1) === 0) return; // no payload: the continuity counter does not advance
    const cc = b3 & 0x0f;
    const last = this.lastCc[pid] ?? -1;
    const signature = payloadSignature(b, s, end, b1 & 0x40);
    let dup = false;
    if (last >= 0 && !disc) {
      // A duplicate repeats the packet before it (ISO/IEC 13818-1 2.4.3.3); a packet that only repeats its
      // counter (a recording joined to another) is a discontinuity, and its payload is new.
      if (cc === last && signature === this.lastSignature[pid]) {
        dup = true;
        if (this.duplicate[pid]) this.ccError(pid, abs, `PID ${pid}: continuity_counter ${cc} repeated more than once`);
        this.duplicate[pid] = 1;
      } else {
        this.duplicate[pid] = 0;
        const expected = (last + 1) & 0x0f;
        if (cc !== expected) this.ccError(pid, abs, `PID ${pid}: continuity_counter ${cc}, expected ${expected} (${(cc - expected + 16) & 15} packets lost?)`);
      }
    } else {
      this.duplicate[pid] = 0;
    }
    this.lastCc[pid] = cc;
    this.lastSignature[pid] = signature;
    if (dup) return; // a duplicate packet carries the same payload again
    if (b3 & 0xc0) {
      if (!this.scrambledPids.has(pid)) {
        this.scrambledPids.add(pid);
        this.report('warning', 'TS_SCRAMBLED', `PID ${pid}: packets are scrambled; payload not parsed`, abs);
      }
      return;
    }
    if (s >= end) return;
    const pusi = (b1 & 0x40) !== 0;
    const kind = this.pidKind[pid];
    if (kind === KIND_PES) this.es[pid]?.payload(b, s, end, abs - p, abs, pusi, rai, disc);
    else if (kind === KIND_PAT || kind === KIND_PMT) this.sections[pid]?.payload(b, s, end, abs - p, pusi);
  }

  private readPcr(b: Uint8Array, at: number, pid: number, abs: number): void {
    const base = (b[at] ?? 0) * 0x2000000 + (((b[at + 1] ?? 0) << 17) | ((b[at + 2] ?? 0) << 9) | ((b[at + 3] ?? 0) << 1) | ((b[at + 4] ?? 0) >> 7));
    const ext = (((b[at + 4] ?? 0) & 1) << 8) | (b[at + 5] ?? 0);
    let clock = this.pcrClocks.get(pid);
    if (!clock) this.pcrClocks.set(pid, (clock = new Unwrapper(PCR_PERIOD)));
    this.pcr.push(pid, abs, clock.unwrap(base * 300 + ext, abs));
  }

  private ccError(pid: number, abs: number, message: string): void {
    this.ccErrors[pid] = (this.ccErrors[pid] ?? 0) + 1;
    this.report('error', 'TS_CC_ERROR', message, abs);
    this.es[pid]?.markCcError();
    this.sections[pid]?.reset();
  }

  private applyPat(sec: Uint8Array, offset: number): void {
    const pat = parsePat(sec);
    this.transportStreamId = pat.transportStreamId;
    for (const entry of pat.programs) {
      if (entry.programNumber === 0) {
        if (this.pidKind[entry.pid] === KIND_UNKNOWN) this.pidKind[entry.pid] = KIND_SECTION; // network PID (NIT)
        continue;
      }
      const known = this.programs.get(entry.programNumber);
      if (known && known.pmtPid === entry.pid) continue;
      const kind = this.pidKind[entry.pid];
      if (kind !== KIND_UNKNOWN && kind !== KIND_PMT) {
        this.report('error', 'TS_PID_CONFLICT', `PAT names PID ${entry.pid} as the PMT of program ${entry.programNumber}, but it carries ${KIND_NAMES[kind ?? 0]}`, offset);
        continue;
      }
      if (known) known.pmtPid = entry.pid;
      else this.programs.set(entry.programNumber, { number: entry.programNumber, pmtPid: entry.pid, descriptors: [], streams: [] });
      this.pidKind[entry.pid] = KIND_PMT;
      this.sections[entry.pid] ??= this.sectionAssembler(entry.pid);
    }
  }

  private applyPmt(sec: Uint8Array, offset: number): void {
    const problems: SectionProblem[] = [];
    const pmt = parsePmt(sec, offset, problems);
    for (const pr of problems) this.report('warning', pr.code, pr.message, pr.at);
    const program = this.programs.get(pmt.programNumber);
    if (!program) {
      this.report('warning', 'TS_PMT_UNKNOWN_PROGRAM', `PMT for program ${pmt.programNumber}, which the PAT does not list`, offset);
      return;
    }
    program.pcrPid = pmt.pcrPid;
    program.pmtVersion = pmt.version;
    program.descriptors = pmt.descriptors;
    program.streams = pmt.streams.map((s) => s.pid);
    for (const s of pmt.streams) {
      const base = streamTypeInfo(s.streamType);
      const reg = s.descriptors.find((d) => d.tag === 0x05 && d.length >= 4);
      const registration = reg ? String.fromCharCode(...reg.data.subarray(0, 4)) : undefined;
      const info = refineByDescriptors(base, s.descriptors.map((d) => d.tag), registration);
      const lang = s.descriptors.find((d) => d.tag === 0x0a && d.length >= 3);
      const existing = this.es[s.pid]?.stream ?? this.streams.find((t) => t.pid === s.pid);
      if (existing) {
        if (existing.streamType !== s.streamType) {
          this.report('info', 'TS_PMT_STREAM_CHANGED', `PID ${s.pid}: stream_type 0x${existing.streamType.toString(16)} → 0x${s.streamType.toString(16)}`, offset);
          Object.assign(existing, { streamType: s.streamType, codec: info.codec, name: info.name, kind: info.kind });
        }
        existing.descriptors = s.descriptors;
        continue;
      }
      const kind = this.pidKind[s.pid] ?? KIND_UNKNOWN;
      if (kind !== KIND_UNKNOWN) {
        this.report('error', 'TS_PID_CONFLICT', `PMT of program ${pmt.programNumber} names PID ${s.pid} as an elementary stream, but it carries ${KIND_NAMES[kind]}`, offset);
        continue;
      }
      const stream: TsStream = {
        pid: s.pid, programNumber: pmt.programNumber, offset: s.offset, streamType: s.streamType, codec: info.codec, name: info.name,
        kind: info.kind, descriptors: s.descriptors, packets: 0, pesCount: 0,
      };
      if (lang) stream.language = String.fromCharCode(...lang.data.subarray(0, 3));
      if (registration !== undefined) stream.registration = registration;
      this.streams.push(stream);
      if (info.sections) {
        this.pidKind[s.pid] = KIND_SECTION;
      } else {
        this.pidKind[s.pid] = KIND_PES;
        let clock = this.clocks.get(pmt.programNumber);
        if (!clock) this.clocks.set(pmt.programNumber, (clock = new Unwrapper(TIMESTAMP_PERIOD)));
        this.es[s.pid] = new PesAssembler(stream, this.pes, this.report, this.withRanges, clock);
      }
    }
  }

  /** Closes what is open, checks what is missing, and returns the model. */
  finish(size: number, packetSize: number): MpegTsFile {
    for (const st of this.es) st?.close();
    for (const [program, clock] of this.clocks) {
      if (clock.firstWrapAt < 0) continue;
      const whose = this.clocks.size > 1 ? `Program ${program}: its ` : '';
      this.report('info', 'TS_TIMESTAMP_WRAP', `${whose}PTS/DTS wrap around here (their 33-bit 90 kHz clock restarts every 26.5 hours); the times after it are continued`, clock.firstWrapAt);
    }
    if (this.packetCount > 0 && this.pidPackets[0] === 0) this.report('error', 'TS_NO_PAT', 'no PAT (PID 0): programs and streams unknown', 0);
    for (const p of this.programs.values()) {
      if (p.pcrPid === undefined) this.report('error', 'TS_NO_PMT', `program ${p.number}: no PMT on PID ${p.pmtPid}`, 0);
    }
    const pids: PidInfo[] = [];
    for (let pid = 0; pid < 8192; pid++) {
      const packets = this.pidPackets[pid] ?? 0;
      if (packets === 0) continue;
      let kind: PidKind = pid === NULL_PID ? 'null' : (KIND_NAMES[this.pidKind[pid] ?? 0] ?? 'unknown');
      if (kind === 'unknown' && pid <= 0x1f) kind = 'section'; // CAT, TSDT, ... and DVB SI (NIT, SDT, EIT, TDT)
      pids.push({ pid, kind, packets, ccErrors: this.ccErrors[pid] ?? 0 });
    }
    for (const s of this.streams) {
      s.packets = this.pidPackets[s.pid] ?? 0;
      const ranges = this.es[s.pid]?.ranges;
      if (ranges) s.payload = ranges.finish();
    }
    const file: MpegTsFile = {
      packetSize, size, packetCount: this.packetCount, programs: [...this.programs.values()], streams: this.streams, pids,
      pes: this.pes.finish(), pcr: this.pcr.finish(), issues: this.issues.finish(), issueCounts: this.issues.counts,
    };
    if (this.transportStreamId !== undefined) file.transportStreamId = this.transportStreamId;
    return file;
  }
}

/**
 * A hash of what tells packets of one PID apart: payload_unit_start_indicator and the first 16 and the last
 * 4 bytes of the payload (a duplicate repeats them all; the next packet of a stream differs in them).
 */
function payloadSignature(b: Uint8Array, s: number, end: number, pusi: number): number {
  let hash = (0x811c9dc5 ^ pusi) >>> 0; // FNV-1a
  const head = Math.min(end, s + 16);
  for (let i = s; i < head; i++) hash = Math.imul(hash ^ (b[i] ?? 0), 0x01000193);
  for (let i = Math.max(head, end - 4); i < end; i++) hash = Math.imul(hash ^ (b[i] ?? 0), 0x01000193);
  return hash >>> 0;
}
