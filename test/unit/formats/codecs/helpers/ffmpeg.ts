// Independent references for the codec tests: ffprobe (extradata, packets, stream info) and
// `ffmpeg -bsf:v trace_headers` (every parameter-set element with its RBSP bit position).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MEDIA = join(__dirname, '../../../../fixtures/media');

export function media(name: string): string {
  return join(MEDIA, name);
}

let scratchDir: string | undefined;
/** A path in this test process's scratch directory (removed when the process exits). */
export function scratch(name: string): string {
  if (!scratchDir) {
    const dir = mkdtempSync(join(tmpdir(), 'kvi-codecs-'));
    scratchDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(scratchDir, name);
}

function hexDump(block: string): Uint8Array {
  const hex = block
    .split('\n')
    .map((line) => line.slice(10, 50).replace(/ /g, ''))
    .join('');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const memo = new Map<string, unknown>();
function cached<T>(key: string, make: () => T): T {
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key) as T;
}

/** The stream's extradata (codec private data) as ffprobe reports it. */
export function extradata(file: string, stream = 'v:0'): Uint8Array {
  return cached(`extradata ${file} ${stream}`, () => readExtradata(file, stream)).slice();
}

function readExtradata(file: string, stream: string): Uint8Array {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_data', '-select_streams', stream, file], { encoding: 'utf8' });
  const m = /extradata=\n([\s\S]*?)\n\n/.exec(out);
  return m?.[1] ? hexDump(m[1]) : new Uint8Array(0);
}

export interface StreamInfo {
  [key: string]: string;
}

export function streamInfo(file: string, stream = 'v:0'): StreamInfo {
  return cached(`info ${file} ${stream}`, () => readStreamInfo(file, stream));
}

function readStreamInfo(file: string, stream: string): StreamInfo {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-select_streams', stream, file], { encoding: 'utf8' });
  const info: StreamInfo = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) info[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return info;
}

/** The first `count` packets of a stream, as the container stores them. */
export function packets(file: string, count: number, stream = 'v:0'): { data: Uint8Array; key: boolean }[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_packets', '-show_data', '-select_streams', stream, '-read_intervals', `%+#${count}`, file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split('[PACKET]')
    .slice(1)
    .map((p) => {
      const m = /\ndata=\n([\s\S]*?)\n\n/.exec(p);
      return { data: m?.[1] ? hexDump(m[1]) : new Uint8Array(0), key: /\nflags=K/.test(p) };
    });
}

export interface TraceLine {
  pos: number;
  name: string;
  bits: string;
  value: number;
}

export interface TraceSection {
  title: string;
  /** Printed while reading the extradata (codec private data), not a packet. */
  extradata: boolean;
  lines: TraceLine[];
}

/** Parses ffmpeg's trace_headers output into sections (one per NAL unit / SEI message). */
export function parseTrace(stderr: string): TraceSection[] {
  const sections: TraceSection[] = [];
  let inExtradata = false;
  for (const raw of stderr.split('\n')) {
    const m = /^\[trace_headers @ [^\]]+\] (.*)$/.exec(raw);
    if (!m?.[1]) continue;
    const text = m[1];
    const field = /^(\d+)\s+(\S+)\s+([01]+) = (-?\d+)$/.exec(text);
    if (field) {
      const current = sections[sections.length - 1];
      current?.lines.push({ pos: Number(field[1]), name: field[2] ?? '', bits: field[3] ?? '', value: Number(field[4]) });
      continue;
    }
    if (text === 'Extradata') inExtradata = true;
    else if (text.startsWith('Packet:')) inExtradata = false;
    else sections.push({ title: text.trim(), extradata: inExtradata, lines: [] });
  }
  return sections;
}

/** trace_headers over the extradata and the first video packet of a file. */
export function traceFile(file: string, inputFormat?: string): TraceSection[] {
  const args = ['-hide_banner', ...(inputFormat ? ['-f', inputFormat] : []), '-i', file, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'];
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseTrace(r.stderr);
}

/** trace_headers of hand-made parameter sets: written as a raw Annex-B stream (plus an AUD so ffmpeg has a packet). */
export function traceNals(codec: 'h264' | 'h265', nals: Uint8Array[], name: string): TraceSection[] {
  const file = scratch(`${name}.${codec === 'h264' ? 'h264' : 'hevc'}`);
  const aud = codec === 'h264' ? [0x09, 0xf0] : [0x46, 0x01, 0x50];
  const parts: number[] = [];
  for (const nal of [...nals, Uint8Array.from(aud)]) parts.push(0, 0, 0, 1, ...nal);
  writeFileSync(file, Uint8Array.from(parts));
  return traceFile(file, codec === 'h264' ? 'h264' : 'hevc');
}

/** Runs ffmpeg to make a scratch file; returns its path. */
export function encode(name: string, args: string[]): string {
  const file = scratch(name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

/** The `codecs="..."` values ffmpeg's DASH muxer writes for a file (stream order). */
export function dashCodecs(file: string, name: string): string[] {
  const mpd = scratch(`${name}/manifest.mpd`);
  execFileSync('mkdir', ['-p', scratch(name)]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-c', 'copy', '-f', 'dash', mpd]);
  return [...readFileSync(mpd, 'utf8').matchAll(/codecs="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** Splits Annex-B bytes into NAL units (start codes and trailing zeros removed). */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) {
        let end = i;
        while (end > start && data[end - 1] === 0) end--;
        out.push(data.subarray(start, end));
      }
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) out.push(data.subarray(start));
  return out;
}

export interface TracedPacket {
  size: number;
  nalTypes: number[];
  sliceTypes: number[];
  seiPayloadTypes: number[];
  /** H.264 slices whose SPS allows fields: field_pic_flag of each. */
  fieldPicFlags: number[];
}

/**
 * The video packets of a file (the first `count`, default all) as trace_headers prints them: NAL unit
 * types, slice_type and SEI payloadType values, per packet.
 */
export function tracePackets(file: string, count?: number): TracedPacket[] {
  const frames = count === undefined ? [] : ['-frames:v', String(count)];
  const args = ['-hide_banner', '-nostats', '-loglevel', 'trace', '-i', file, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'trace_headers', ...frames, '-f', 'null', '-'];
  const { stderr } = spawnSync('ffmpeg', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const packets: TracedPacket[] = [];
  let payloadTypeFf = 0; // ff_payload_type_byte lines before the last_payload_type_byte: 255 each
  for (const line of stderr.split('\n')) {
    const text = /^\[trace_headers @ [^\]]+\] (.*)$/.exec(line)?.[1];
    if (text === undefined) continue;
    const packet = /^Packet: (\d+) bytes/.exec(text);
    if (packet) packets.push({ size: Number(packet[1]), nalTypes: [], sliceTypes: [], seiPayloadTypes: [], fieldPicFlags: [] });
    const current = packets.at(-1);
    if (!current) continue; // the extradata, before the first packet
    const nal = /^nal_unit_type: (\d+)\(/.exec(text);
    if (nal) current.nalTypes.push(Number(nal[1]));
    const slice = /^\d+\s+slice_type\s+[01]+ = (\d+)$/.exec(text);
    if (slice) current.sliceTypes.push(Number(slice[1]));
    const field = /^\d+\s+field_pic_flag\s+[01]+ = (\d+)$/.exec(text);
    if (field) current.fieldPicFlags.push(Number(field[1]));
    if (/^\d+\s+ff_payload_type_byte\s/.test(text)) payloadTypeFf++;
    const payloadType = /^\d+\s+last_payload_type_byte\s+[01]+ = (\d+)$/.exec(text);
    if (payloadType) {
      current.seiPayloadTypes.push(255 * payloadTypeFf + Number(payloadType[1]));
      payloadTypeFf = 0;
    }
  }
  return packets;
}
