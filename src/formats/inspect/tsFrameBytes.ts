// Where the bytes of each frame row of an MPEG-TS report are: a span of its PID's payload ranges, which
// may cross PES packets (an access unit split over several, an audio frame running into the next PES).
import type { ByteSource } from '../byteSource';
import { gatherSpan, spanByteOffset, type MpegTsFile, type PayloadSpan } from '../mpegts';
import type { FrameTable } from './report';

export type SpanStart = Pick<PayloadSpan, 'range' | 'skip'>;

export class TsFrameBytes {
  private readonly range: number[] = [];
  private readonly skip: number[] = [];

  constructor(private readonly source: ByteSource, private readonly ts: MpegTsFile, private readonly frames: FrameTable) {}

  /** Row `row` begins where `start` does; its bytes run on for the row's size (which may grow later). */
  begin(row: number, start: SpanStart): void {
    this.range[row] = start.range;
    this.skip[row] = start.skip;
  }

  span(row: number): PayloadSpan {
    const { frames } = this;
    if (row < 0 || row >= frames.count) return { pid: -1, range: -1, skip: 0, length: 0 };
    return { pid: frames.track[row] ?? 0, range: this.range[row] ?? -1, skip: this.skip[row] ?? 0, length: frames.size[row] ?? 0 };
  }

  read(row: number): Uint8Array {
    return gatherSpan(this.source, this.ts, this.span(row));
  }

  /** Where byte `at` of what read(row) returns is in the input; -1 outside the frame. */
  byteOffset(row: number, at: number): number {
    return spanByteOffset(this.ts, this.span(row), at);
  }
}
