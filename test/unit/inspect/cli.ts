// Runs the built kvs-inspect (dist/cli/kvs-inspect.js) as a user would, and ffprobe as the judge.
import { execFileSync, spawnSync } from 'node:child_process';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';

export const FIXTURES = 'test/fixtures/media';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function kvsInspect(args: readonly string[], input?: Uint8Array): CliResult {
  const result = spawnSync(process.execPath, ['dist/cli/kvs-inspect.js', ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function inspectJson(file: string, ...flags: string[]): JsonReport {
  const result = kvsInspect(['--json', ...flags, file]);
  if (result.status !== 0) throw new Error(`kvs-inspect ${file} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as JsonReport;
}

export interface ProbeStream {
  index: number;
  codec_name: string;
  codec_type: string;
  codec_tag_string?: string;
  /** MPEG-TS: the PID, as "0x100". */
  id?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  coded_width?: number;
  coded_height?: number;
  sample_rate?: string;
  channels?: number;
  bits_per_sample?: number;
  side_data_list?: { rotation?: number }[];
  field_order?: string;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
}

export function ffprobeStreams(file: string): ProbeStream[] {
  const output = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(output) as { streams: ProbeStream[] }).streams;
}

export interface ProbePacket {
  codec_type: string;
  stream_index: number;
  pts_time?: string;
  dts_time?: string;
  duration_time?: string;
  size: string;
  pos?: string;
  flags: string;
}

export function ffprobePackets(file: string): ProbePacket[] {
  const output = execFileSync('ffprobe', ['-v', 'error', '-show_packets', '-of', 'json', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return (JSON.parse(output) as { packets: ProbePacket[] }).packets;
}
