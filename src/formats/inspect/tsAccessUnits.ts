// MPEG-TS video PES packets that carry the rest of an access unit rather than a new one.
import type { ByteSource } from '../byteSource';
import { beginsAccessUnit, H264_NAL, H265_NAL, leadingNalType } from '../codecs';
import { gatherPes, PES_INVALID, type MpegTsFile } from '../mpegts';
import type { VideoTrackContext } from './container';

/** Enough of a PES payload for its start code (after a few zero bytes), NAL header and first slice header bit. */
const HEAD_BYTES = 16;

/**
 * Which video PES packets continue the access unit of the PES before them on their PID: those without a
 * PTS whose payload does not begin an access unit. A muxer splits an access unit too big for one PES
 * (PES_packet_length is 16 bits) over several and times only the first; ffprobe joins them into one packet.
 */
export class AccessUnitContinuations {
  private readonly codecs = new Map<number, 'h264' | 'h265'>();
  /** Per PID: whether its access units open with a delimiter, judged by its first PES with a PTS. */
  private readonly delimited = new Map<number, boolean>();

  constructor(private readonly source: ByteSource, private readonly ts: MpegTsFile, videoTracks: readonly VideoTrackContext[]) {
    for (const { number, codec } of videoTracks) this.codecs.set(number, codec);
  }

  continues(index: number): boolean {
    const { pes } = this.ts;
    const pid = pes.pid[index] ?? 0;
    const codec = this.codecs.get(pid);
    if (!codec || !Number.isNaN(pes.pts[index] ?? NaN) || ((pes.flags[index] ?? 0) & PES_INVALID) !== 0) return false;
    return !beginsAccessUnit(gatherPes(this.source, this.ts, index, HEAD_BYTES), codec, this.isDelimited(pid, codec));
  }

  private isDelimited(pid: number, codec: 'h264' | 'h265'): boolean {
    let delimited = this.delimited.get(pid);
    if (delimited === undefined) {
      const { pes } = this.ts;
      let first = 0;
      while (first < pes.count && (pes.pid[first] !== pid || Number.isNaN(pes.pts[first] ?? NaN))) first++;
      const type = leadingNalType(gatherPes(this.source, this.ts, first, HEAD_BYTES), codec);
      delimited = type === (codec === 'h264' ? H264_NAL.AUD : H265_NAL.AUD);
      this.delimited.set(pid, delimited);
    }
    return delimited;
  }
}
