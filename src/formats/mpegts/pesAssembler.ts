import { pesHasOptionalHeader, readTimestamp } from './pes';
import {
  PES_CC_ERROR, PES_DISCONTINUITY, PES_HAS_DTS, PES_INVALID, PES_RANDOM_ACCESS, PES_TRUNCATED,
  RangeBuilder, type PesBuilder,
} from './tables';
import type { Report, TsStream } from './types';
import type { Unwrapper } from './unwrap';

/**
 * Assembles the PES packets of one elementary-stream PID: the header (which may span TS packets) for
 * PTS/DTS, the payload ranges, sizes and flags, into the shared PES table.
 */
export class PesAssembler {
  /** Row of the PES being assembled in the table; -1 before the first start. */
  current = -1;
  /** First 19 header bytes (through the DTS). */
  private readonly hdr = new Uint8Array(19);
  private hdrHave = 0;
  /** 0: reading the 6-byte prefix, 1: reading to PES_header_data_length, 2: reading the rest, 3: done. */
  private stage = 0;
  private hdrNeed = 6;
  private declared = 0;
  private esBytes = 0;
  private warnedNoStart = false;
  readonly ranges: RangeBuilder | undefined;

  /** `clock`: the PTS/DTS clock of the stream's program (its PIDs share it), continued past its wrap. */
  constructor(readonly stream: TsStream, private readonly table: PesBuilder, private readonly report: Report, ranges: boolean, private readonly clock: Unwrapper) {
    this.ranges = ranges ? new RangeBuilder() : undefined;
  }

  /** Payload bytes b[s, e) of a TS packet at `abs`; `base` maps indexes of b to absolute offsets. */
  payload(b: Uint8Array, s: number, e: number, base: number, abs: number, pusi: boolean, rai: boolean, disc: boolean): void {
    const pes = this.table;
    if (pusi) {
      if (this.current >= 0) this.close();
      this.current = pes.open(this.stream.pid, abs, (rai ? PES_RANDOM_ACCESS : 0) | (disc ? PES_DISCONTINUITY : 0), this.ranges ? this.ranges.count : 0);
      this.hdrHave = 0;
      this.stage = 0;
      this.hdrNeed = 6;
      this.declared = 0;
      this.esBytes = 0;
      this.stream.pesCount++;
    } else if (this.current < 0) {
      if (!this.warnedNoStart) {
        this.warnedNoStart = true;
        this.report('info', 'TS_PES_WITHOUT_START', `PID ${this.stream.pid}: payload before the first PES start; skipped`, abs);
      }
      return;
    } else {
      pes.packets[this.current] = (pes.packets[this.current] ?? 0) + 1;
    }
    if (this.stage < 3) s = this.header(b, s, e);
    if (this.stage === 3 && s < e) {
      const len = e - s;
      this.esBytes += len;
      if (this.ranges) {
        this.ranges.push(base + s, len);
        pes.rangeCount[this.current] = (pes.rangeCount[this.current] ?? 0) + 1;
      }
    }
  }

  /** Bytes are missing from the PES being assembled. */
  markCcError(): void {
    if (this.current >= 0) this.table.flags[this.current] = (this.table.flags[this.current] ?? 0) | PES_CC_ERROR;
  }

  /** Consumes header bytes from b[s, e); returns where the elementary stream bytes begin. */
  private header(b: Uint8Array, s: number, e: number): number {
    const i = this.current;
    const pes = this.table;
    while (s < e && this.stage < 3) {
      const target = this.stage === 0 ? 6 : this.stage === 1 ? 9 : this.hdrNeed;
      const take = Math.min(target - this.hdrHave, e - s);
      for (let k = 0; k < take; k++) {
        const at = this.hdrHave + k;
        if (at < 19) this.hdr[at] = b[s + k] ?? 0;
      }
      this.hdrHave += take;
      s += take;
      if (this.hdrHave < target) break;
      const h = this.hdr;
      if (this.stage === 0) {
        pes.streamId[i] = h[3] ?? 0;
        this.declared = ((h[4] ?? 0) << 8) | (h[5] ?? 0);
        if (h[0] !== 0 || h[1] !== 0 || h[2] !== 1) {
          pes.flags[i] = (pes.flags[i] ?? 0) | PES_INVALID;
          this.report('error', 'TS_PES_START_CODE_INVALID', `PID ${this.stream.pid}: PES does not start with 00 00 01`, pes.offset[i] ?? 0);
          this.declared = 0;
          this.stage = 3;
        } else {
          this.stage = pesHasOptionalHeader(h[3] ?? 0) ? 1 : 3;
        }
      } else if (this.stage === 1) {
        this.hdrNeed = 9 + (h[8] ?? 0);
        this.stage = 2;
      }
      if (this.stage === 2 && this.hdrHave >= this.hdrNeed) {
        this.timestamps();
        this.stage = 3;
      }
    }
    return s;
  }

  private timestamps(): void {
    const i = this.current;
    const h = this.hdr;
    const pes = this.table;
    const ptsDts = (h[7] ?? 0) >> 6;
    if (ptsDts === 1) {
      this.report('warning', 'TS_PES_HEADER_INVALID', `PID ${this.stream.pid}: PTS_DTS_flags 01 (forbidden)`, pes.offset[i] ?? 0);
      return;
    }
    if (ptsDts === 0) return;
    if (this.hdrNeed < (ptsDts === 3 ? 19 : 14)) {
      this.report('warning', 'TS_PES_HEADER_INVALID', `PID ${this.stream.pid}: PES_header_data_length too short for PTS${ptsDts === 3 ? '/DTS' : ''}`, pes.offset[i] ?? 0);
      return;
    }
    const offset = pes.offset[i] ?? 0;
    const pts = this.clock.unwrap(readTimestamp(h, 9), offset);
    pes.pts[i] = pts;
    if (ptsDts === 3) {
      pes.dts[i] = this.clock.unwrap(readTimestamp(h, 14), offset);
      pes.flags[i] = (pes.flags[i] ?? 0) | PES_HAS_DTS;
    } else {
      pes.dts[i] = pts;
    }
  }

  /** Ends the PES being assembled: its size, and checks against PES_packet_length. */
  close(): void {
    const i = this.current;
    if (i < 0) return;
    const pes = this.table;
    pes.size[i] = this.esBytes;
    this.current = -1;
    if (this.stage < 3) {
      pes.flags[i] = (pes.flags[i] ?? 0) | PES_TRUNCATED;
      this.report('warning', 'TS_PES_HEADER_TRUNCATED', `PID ${this.stream.pid}: PES header cut short (${this.hdrHave} bytes)`, pes.offset[i] ?? 0);
      return;
    }
    if (this.declared > 0) {
      const actual = this.hdrNeed - 6 + this.esBytes;
      if (actual !== this.declared) {
        if (actual < this.declared) pes.flags[i] = (pes.flags[i] ?? 0) | PES_TRUNCATED;
        if (!((pes.flags[i] ?? 0) & PES_CC_ERROR)) {
          this.report('warning', 'TS_PES_LENGTH_MISMATCH', `PID ${this.stream.pid}: PES_packet_length ${this.declared}, carried ${actual}`, pes.offset[i] ?? 0);
        }
      }
    }
  }
}
