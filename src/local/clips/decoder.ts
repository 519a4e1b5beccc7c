// Still images for GetImages. KVS Local has no video decoder of its own: it spawns `ffmpeg` (looked up
// on PATH when the request is served) and feeds it, on stdin, a standalone Matroska file made of the
// fragment's stored stream header and its cluster. ffmpeg decodes from the fragment's keyframe, keeps
// the one frame asked for (by its position in presentation order), scales it and writes one JPEG or
// PNG to stdout. When ffmpeg is missing or fails, the image is answered as MEDIA_ERROR and the reason
// is logged; a request never fails because of it.
import { spawn } from 'node:child_process';

export type ImageFormat = 'JPEG' | 'PNG';

export interface DecodeRequest {
  /** A Matroska file: EBML header, Segment, Info, Tracks, then the cluster. */
  mkv: Uint8Array;
  /** Which video frame of the file, counted in presentation order from 0. */
  frameIndex: number;
  format: ImageFormat;
  /** 1..100 (JPEG only). */
  jpegQuality: number;
  width?: number;
  height?: number;
}

export interface FrameDecoder {
  /** The encoded image; rejects with an Error whose message says why. */
  decode(request: DecodeRequest): Promise<Uint8Array>;
}

export interface FfmpegDecoderOptions {
  /** The ffmpeg command (default 'ffmpeg', found on PATH). */
  command?: string;
  timeoutMs?: number;
}

const MAX_STDERR = 4096;

/** ffmpeg -q:v for mjpeg: 2 (best) .. 31 (worst), from the service's JPEGQuality 1..100. */
export function mjpegQScale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(31 - ((q - 1) * 29) / 99);
}

/** The ffmpeg arguments for one request (input on stdin, image on stdout). */
export function ffmpegArgs(request: Omit<DecodeRequest, 'mkv'>): string[] {
  const filters = [`select=eq(n\\,${request.frameIndex})`];
  if (request.width !== undefined || request.height !== undefined) {
    // -1 keeps the aspect ratio for the side not asked for.
    filters.push(`scale=${request.width ?? -1}:${request.height ?? -1}`);
  }
  const codec = request.format === 'PNG' ? ['-c:v', 'png'] : ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', String(mjpegQScale(request.jpegQuality))];
  return ['-hide_banner', '-v', 'error', '-f', 'matroska', '-i', 'pipe:0', '-an', '-sn', '-dn', '-vf', filters.join(','), '-fps_mode', 'passthrough', '-frames:v', '1', ...codec, '-f', 'image2pipe', 'pipe:1'];
}

export function ffmpegDecoder(options: FfmpegDecoderOptions = {}): FrameDecoder {
  const command = options.command ?? 'ffmpeg';
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    decode: (request) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const child = spawn(command, ffmpegArgs(request), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let err = '';
        let settled = false;
        const finish = (error: Error | undefined, bytes?: Uint8Array): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(bytes ?? new Uint8Array(0));
        };
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          finish(new Error(`${command} did not answer within ${timeoutMs} ms.`));
        }, timeoutMs);
        child.on('error', (error: NodeJS.ErrnoException) => {
          finish(new Error(error.code === 'ENOENT' ? `${command} is not on PATH: GetImages needs ffmpeg to decode frames.` : `${command} could not be started: ${error.message}`));
        });
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => {
          if (err.length < MAX_STDERR) err += chunk.toString('utf8');
        });
        // ffmpeg may stop reading once it has its frame: EPIPE then is not an error.
        child.stdin.on('error', () => undefined);
        child.on('close', (code, signal) => {
          const bytes = Buffer.concat(out);
          if (code === 0 && bytes.length > 0) finish(undefined, bytes);
          else finish(new Error(`${command} failed (${signal ?? `exit code ${String(code)}`})${bytes.length === 0 ? ' and wrote no image' : ''}: ${err.trim().slice(0, 500) || 'no message'}`));
        });
        child.stdin.end(request.mkv);
      }),
  };
}
