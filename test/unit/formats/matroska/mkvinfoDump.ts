// Runs MKVToolNix's `mkvinfo -a -P -z` (an independent Matroska reader) and parses its text output into
// what the tests compare with readMatroska.
import { execFileSync, spawnSync } from 'node:child_process';

export interface DumpTrack {
  number: number;
  codecId?: string;
  type?: string;
  defaultDurationNs?: number;
  pixelWidth?: number;
  pixelHeight?: number;
  samplingFrequency?: number;
  channels?: number;
  bitDepth?: number;
  codecPrivateOffset?: number;
  codecPrivateSize?: number;
}

export interface DumpBlock {
  /** Offset of the SimpleBlock or Block element. */
  offset: number;
  track: number;
  timestampNs: number;
  /** SimpleBlock key flag; for a Block, no ReferenceBlock in its group. */
  key: boolean;
  inGroup: boolean;
  frames: { offset: number; size: number }[];
}

export interface DumpCluster {
  offset: number;
  size: number;
  timestampNs?: number;
}

export interface Dump {
  timestampScale?: number;
  tracks: DumpTrack[];
  clusters: DumpCluster[];
  blocks: DumpBlock[];
  /** Every element mkvinfo lists (it leaves out CRC-32 elements), with its size header included. */
  elements: { offset: number; size: number }[];
}

export const hasMkvinfo = spawnSync('mkvinfo', ['--version']).status === 0;
export const hasMkvmerge = spawnSync('mkvmerge', ['--version']).status === 0;

/** "00:00:01.002000000" → nanoseconds; a leading "-" negates. */
function duration(text: string): number {
  const match = /^(-?)(\d+):(\d+):(\d+)\.(\d{9})/.exec(text);
  if (!match) throw new Error(`Not an mkvinfo duration: ${text}`);
  const [, sign, h, m, s, ns] = match;
  const value = ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1e9 + Number(ns);
  return sign === '-' ? -value : value;
}

export function mkvinfo(file: string): Dump {
  const text = execFileSync('mkvinfo', ['-a', '-P', '-z', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const dump: Dump = { tracks: [], clusters: [], blocks: [], elements: [] };
  let track: DumpTrack | undefined;
  let block: DumpBlock | undefined;
  let groupBlocks: DumpBlock[] = [];

  for (const line of text.split('\n')) {
    const content = line.replace(/^[| ]*\+ /, '');
    const at = / at (\d+) size (\d+)(?: data size (\d+))?$/.exec(content);
    const offset = at ? Number(at[1]) : -1;
    const body = at ? content.slice(0, at.index) : content;
    let m: RegExpExecArray | null;
    if (at && body !== 'Frame') dump.elements.push({ offset, size: Number(at[2]) });

    if (body === 'Track') {
      track = { number: 0 };
      dump.tracks.push(track);
    } else if (track && (m = /^Track number: (\d+)/.exec(body))) track.number = Number(m[1]);
    else if (track && (m = /^Codec ID: (.*)$/.exec(body))) track.codecId = m[1];
    else if (track && (m = /^Track type: (.*)$/.exec(body))) track.type = m[1];
    else if (track && (m = /^Default duration: (\S+)/.exec(body))) track.defaultDurationNs = duration(m[1] ?? '');
    else if (track && (m = /^Pixel width: (\d+)/.exec(body))) track.pixelWidth = Number(m[1]);
    else if (track && (m = /^Pixel height: (\d+)/.exec(body))) track.pixelHeight = Number(m[1]);
    else if (track && (m = /^Sampling frequency: ([\d.]+)/.exec(body))) track.samplingFrequency = Number(m[1]);
    else if (track && (m = /^Channels: (\d+)/.exec(body))) track.channels = Number(m[1]);
    else if (track && (m = /^Bit depth: (\d+)/.exec(body))) track.bitDepth = Number(m[1]);
    else if (track && (m = /^Codec's private data: size (\d+)/.exec(body)) && at) {
      track.codecPrivateSize = Number(m[1]);
      track.codecPrivateOffset = offset + Number(at[2]) - Number(at[3]);
    } else if ((m = /^Timestamp scale: (\d+)/.exec(body))) dump.timestampScale = Number(m[1]);
    else if (body === 'Tags' || body === 'Cues') track = undefined;
    else if (body === 'Cluster' && at) {
      track = undefined;
      dump.clusters.push({ offset, size: Number(at[2]) });
    } else if ((m = /^Cluster timestamp: (\S+)/.exec(body))) {
      const cluster = dump.clusters.at(-1);
      if (cluster) cluster.timestampNs = duration(m[1] ?? '');
    } else if (body === 'Block group') {
      groupBlocks = [];
    } else if ((m = /^(Simple block|Block): (.*?)track number (\d+), (\d+) frame\(s\), timestamp (\S+)$/.exec(body))) {
      const inGroup = m[1] === 'Block';
      block = { offset, track: Number(m[3]), timestampNs: duration(m[5] ?? ''), key: inGroup || /\bkey\b/.test(m[2] ?? ''), inGroup, frames: [] };
      dump.blocks.push(block);
      if (inGroup) groupBlocks.push(block);
    } else if (block && at && body === 'Frame') {
      block.frames.push({ offset, size: Number(at[2]) });
    } else if (body.startsWith('Reference block')) {
      for (const b of groupBlocks) b.key = false;
    }
  }
  return dump;
}
