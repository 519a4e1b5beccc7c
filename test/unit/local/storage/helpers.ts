// Shared helpers for the fragment-store tests: temporary directories and deterministic bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendMeta } from '../../../../src/local/storage/fragmentStore';

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `kvs-store-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes that depend only on (seed, length): a cluster stand-in that tests can regenerate. */
export function bytesFor(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** A stand-in stream header (EBML header … Tracks) with a recognisable start. */
export function headerFor(variant: number): Uint8Array {
  const bytes = bytesFor(1_000_000 + variant, 120 + variant);
  bytes.set([0x1a, 0x45, 0xdf, 0xa3], 0);
  return bytes;
}

/** Metadata of the i-th test fragment: 2-second fragments, producer clock 1000 s behind. */
export function metaFor(i: number, overrides: Partial<AppendMeta> = {}): AppendMeta {
  return {
    serverTimestampMs: 1_700_000_000_000 + i * 2000,
    producerTimestampMs: 1_699_999_000_000 + i * 2000,
    durationMs: 2000,
    clusterTimecode: i * 2000,
    trackNumbers: [1, 2],
    ...overrides,
  };
}
