// What crash.test.ts and its child process agree on.
import { bytesFor } from './helpers';

/** Small segments, so that a kill also lands around segment rolls. */
export const CRASH_SEGMENT_BYTES = 6 * 1024 * 1024;

/** Seeds from here on get large clusters (10–40 MB): SIGKILL inside such a write leaves a short write. */
export const BIG_SEED_BASE = 1_000_000;

/**
 * Mostly small clusters, every fifth one 1–3 MB; large ones (10–40 MB, KVS allows 50) for big seeds, so a
 * kill can land inside a long write and tear it.
 */
export function crashClusterSize(seed: number): number {
  if (seed >= BIG_SEED_BASE) return 10_000_000 + ((seed * 7919) % 30_000_000);
  return seed % 5 === 0 ? 1_000_000 + ((seed * 7919) % 2_000_000) : 500 + ((seed * 31) % 20_000);
}

let bigBase: Uint8Array | undefined;

/** The cluster bytes for a seed: regenerated identically by the test to check what it reads. */
export function crashCluster(seed: number): Uint8Array {
  const size = crashClusterSize(seed);
  if (seed < BIG_SEED_BASE) return bytesFor(seed, size);
  // Large clusters: one shared pseudo-random body (made once, cheap to copy) with the seed at both ends,
  // so the child spends its time writing and syncing rather than making bytes.
  bigBase ??= bytesFor(BIG_SEED_BASE, 40_000_000);
  const bytes = bigBase.slice(0, size);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, seed, true);
  view.setFloat64(size - 8, seed, true);
  return bytes;
}
