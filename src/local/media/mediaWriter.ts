// Writes GetMedia-style MKV chunks to an HTTP response, respecting backpressure.
import type { ServerResponse } from 'node:http';
import { getMediaChunkParts, getMediaErrorChunk, kvsFragmentTags, kvsTrailingTags } from '../../formats/matroska/write';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';

export const FRAGMENT_NOT_FOUND = { errorCode: 'FRAGMENT_NOT_FOUND', errorId: 3000 } as const;

export async function writeFragment(res: ServerResponse, store: FragmentStore, record: FragmentRecord, trailing?: { nowMs: number }): Promise<void> {
  const parts = getMediaChunkParts({
    header: store.readHeader(record.headerId),
    cluster: store.readCluster(record),
    tagsBefore: kvsFragmentTags(record),
    tagsAfter: trailing ? kvsTrailingTags({ millisBehindNow: trailing.nowMs - record.serverTimestampMs, continuationToken: record.fragmentNumber }) : [],
  });
  for (const part of parts) await write(res, part);
}

export async function writeNotFound(res: ServerResponse, fragmentNumber: string): Promise<void> {
  await write(res, getMediaErrorChunk({ ...FRAGMENT_NOT_FOUND, fragmentNumber }));
}

function write(res: ServerResponse, bytes: Uint8Array): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(bytes)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
