import { crc32Mpeg2 } from './crc32';
import type { Report } from './types';

/** Largest PSI section (section_length ≤ 1021 for PAT/PMT, plus the 3-byte header). */
const MAX_SECTION = 1024;

/**
 * Assembles the PSI sections of one PID from packet payloads (pointer_field, sections spanning
 * packets, several sections per packet, 0xFF stuffing). Hands on long-form sections whose CRC_32
 * matches and which differ from the previous one (tables repeat every ~100 ms), and a damaged one
 * while no good one has come.
 */
export class SectionAssembler {
  private readonly buf = new Uint8Array(MAX_SECTION);
  private have = 0;
  /** 0 = idle, 3 = reading the header, else the section's total size. */
  private need = 0;
  /** Absolute offset of the section's first byte. */
  private offset = 0;
  private lastCrc = -1;
  private lastBadCrc = -1;

  constructor(
    private readonly pid: number,
    private readonly report: Report,
    private readonly onSection: (section: Uint8Array, offset: number) => void,
  ) {}

  /** Drops a partly assembled section (bytes were lost). */
  reset(): void {
    this.need = this.have = 0;
  }

  /** Payload bytes b[s, e) of a packet; `base` maps indexes of b to absolute offsets. */
  payload(b: Uint8Array, s: number, e: number, base: number, pusi: boolean): void {
    if (!pusi) {
      if (this.need > 0) this.bytes(b, s, e);
      return;
    }
    const pointer = b[s] ?? 0;
    s++;
    if (s + pointer > e) {
      this.report('error', 'TS_POINTER_FIELD_INVALID', `PID ${this.pid}: pointer_field ${pointer} points past the packet`, base + s - 1);
      this.reset();
      return;
    }
    if (this.need > 0) {
      this.bytes(b, s, s + pointer);
      // The pointer_field says where the section before ends: one still short of its section_length there is lost.
      if (this.need > 0) this.report('error', 'TS_SECTION_INCOMPLETE', `PID ${this.pid}: a section of ${this.need} bytes (section_length ${this.need - 3}) ends after ${this.have} bytes, where the next section starts; dropped`, this.offset);
    }
    s += pointer;
    this.reset();
    while (s < e && b[s] !== 0xff) {
      this.need = 3;
      this.have = 0;
      this.offset = base + s;
      s = this.bytes(b, s, e);
      if (this.need > 0) break; // continues in the next packet
    }
  }

  /** Adds bytes to the section being assembled; hands it on when complete. Returns where it stopped. */
  private bytes(b: Uint8Array, s: number, e: number): number {
    while (s < e && this.need > 0) {
      const take = Math.min(this.need - this.have, e - s);
      this.buf.set(b.subarray(s, s + take), this.have);
      this.have += take;
      s += take;
      if (this.have < this.need) break;
      if (this.need === 3) {
        const length = (((this.buf[1] ?? 0) & 0x0f) << 8) | (this.buf[2] ?? 0);
        if (length > MAX_SECTION - 3 || length < 9) {
          this.report('error', 'TS_SECTION_LENGTH_INVALID', `PID ${this.pid}: section_length ${length}`, this.offset);
          this.reset();
          return e;
        }
        this.need = 3 + length;
        continue;
      }
      this.complete(this.buf.subarray(0, this.need));
      this.reset();
    }
    return s;
  }

  private complete(sec: Uint8Array): void {
    if (((sec[1] ?? 0) & 0x80) === 0) return; // not a long-form section
    const n = sec.length;
    const crc = (((sec[n - 4] ?? 0) << 24) | ((sec[n - 3] ?? 0) << 16) | ((sec[n - 2] ?? 0) << 8) | (sec[n - 1] ?? 0)) >>> 0;
    if (crc === this.lastCrc || crc === this.lastBadCrc) return; // the same table again (a damaged one is reported once)
    if (crc32Mpeg2(sec) !== 0) {
      this.lastBadCrc = crc;
      // With no good copy of the table so far, a damaged one is all there is: read as it is (as ffmpeg does).
      const readAnyway = this.lastCrc === -1;
      const how = readAnyway ? '; read as it is, as no copy with a good CRC came before it' : '; the copy before it stays in use';
      this.report('error', 'TS_PSI_CRC_ERROR', `PID ${this.pid}: CRC_32 of table 0x${(sec[0] ?? 0).toString(16)} does not match${how}`, this.offset);
      if (!readAnyway) return;
    } else {
      this.lastCrc = crc;
    }
    if (((sec[5] ?? 0) & 1) === 0) return; // current_next_indicator 0: not yet applicable
    this.onSection(sec, this.offset);
  }
}
