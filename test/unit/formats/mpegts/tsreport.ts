// Runs `tsreport -v` (Debian's tstools: an independent MPEG-TS reader) and parses what it prints of each
// packet that starts a PES packet, a PAT or a PMT, for the tests to compare field by field.
import { execFileSync, spawnSync } from 'node:child_process';

export const hasTsreport = spawnSync('tsreport', ['-h']).error === undefined;

export interface TsreportPacket {
  offset: number;
  pid: number;
  unitStart: boolean;
  kind: 'PAT' | 'PMT' | 'other';
  adaptationLength?: number;
  /** The adaptation field's flags byte (discontinuity_indicator ... adaptation_field_extension_flag). */
  adaptationFlags?: number;
  /** 27 MHz: base × 300 + extension. */
  pcr?: number;
  streamId?: number;
  pesPacketLength?: number;
  /** The two PES flag bytes ('10', scrambling ... PES_extension_flag). */
  pesFlags?: [number, number];
  pesHeaderLength?: number;
  pts?: number;
  dts?: number;
  sectionLength?: number;
  transportStreamId?: number;
  programNumber?: number;
  /** version_number, current_next_indicator, section_number, last_section_number. */
  version?: [number, number, number, number];
  programs?: [number, number][];
  pcrPid?: number;
  programInfoLength?: number;
  /** [elementary_PID, stream_type]. */
  streams?: [number, number][];
}

export function tsreport(file: string): Map<number, TsreportPacket> {
  const text = execFileSync('tsreport', ['-v', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const packets = new Map<number, TsreportPacket>();
  let packet: TsreportPacket | undefined;
  const hex = (s: string | undefined) => parseInt(s ?? '', 16);
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\s*(\d+): TS Packet\s+\d+ PID ([0-9a-f]{4})( \[pusi\])?\s*(PAT|PMT)?/.exec(line))) {
      packet = { offset: Number(m[1]), pid: hex(m[2]), unitStart: m[3] !== undefined, kind: (m[4] as 'PAT' | 'PMT' | undefined) ?? 'other' };
      packets.set(packet.offset, packet);
    } else if (!packet) {
      continue;
    } else if ((m = /^ {2}Adaptation field len\s+(\d+)(?: \[flags ([0-9a-f]{2})\])?/.exec(line))) {
      packet.adaptationLength = Number(m[1]);
      if (m[2]) packet.adaptationFlags = hex(m[2]);
    } else if ((m = /^ \.\. PCR\s+(\d+)/.exec(line))) packet.pcr = Number(m[1]);
    else if ((m = /^ {4}Stream ID:\s+([0-9a-f]{2})/.exec(line))) packet.streamId = hex(m[1]);
    else if ((m = /^ {4}PES packet length: ([0-9a-f]{4})/.exec(line))) packet.pesPacketLength = hex(m[1]);
    else if ((m = /^ {4}Flags:\s+([0-9a-f]{2}) ([0-9a-f]{2})/.exec(line))) packet.pesFlags = [hex(m[1]), hex(m[2])];
    else if ((m = /^ {4}PES header len (\d+)/.exec(line))) packet.pesHeaderLength = Number(m[1]);
    else if ((m = /^ {4}(PTS|DTS) (\d+)/.exec(line))) packet[m[1] === 'PTS' ? 'pts' : 'dts'] = Number(m[2]);
    else if ((m = /^ {2}section length:\s+[0-9a-f]{3} \((\d+)\)/.exec(line))) packet.sectionLength = Number(m[1]);
    else if ((m = /^ {2}transport stream id: ([0-9a-f]{4})/.exec(line))) packet.transportStreamId = hex(m[1]);
    else if ((m = /^ {2}program number: ([0-9a-f]{4})/.exec(line))) packet.programNumber = hex(m[1]);
    else if ((m = /^ {2}version number ([0-9a-f]{2}), current next (\d), section number (\d+), last section number (\d+)/.exec(line))) {
      packet.version = [hex(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    } else if ((m = /^ {4}Program [0-9a-f]{3} \(\s*(\d+)\) -> PID ([0-9a-f]{4})/.exec(line))) (packet.programs ??= []).push([Number(m[1]), hex(m[2])]);
    else if ((m = /^ {2}PCR PID: ([0-9a-f]{4})/.exec(line))) packet.pcrPid = hex(m[1]);
    else if ((m = /^ {2}program info length: (\d+)/.exec(line))) packet.programInfoLength = Number(m[1]);
    else if ((m = /^ {4}PID ([0-9a-f]{4}) -> Stream ([0-9a-f]{2})/.exec(line))) (packet.streams ??= []).push([hex(m[1]), hex(m[2])]);
  }
  return packets;
}
