// GetClip and GetImages of KVS Local (kinesis-video-archived-media).
import type { Log, OperationHandler } from '../http/router';
import type { StreamStores } from '../media/streamStores';
import type { FrameDecoder } from './decoder';
import { ffmpegDecoder } from './decoder';
import { getClip } from './getClip';
import { getImages } from './getImages';

export interface ClipOperationsOptions {
  log?: Log;
  /** Decodes GetImages frames; default ffmpeg from PATH (decoder.ts). */
  decoder?: FrameDecoder;
}

export function clipOperations(stores: StreamStores, options: ClipOperationsOptions = {}): Record<string, OperationHandler> {
  const decoder = options.decoder ?? ffmpegDecoder();
  return {
    getClip: { handle: (ctx) => getClip(ctx, stores) },
    getImages: { handle: (ctx) => getImages(ctx, stores, { decoder, ...(options.log && { log: options.log }) }) },
  };
}
