import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { readMatroska } from '../../../src/formats/matroska/readMatroska';
import { FileSource } from '../../../src/io/fileSource';

/** A file of `size` bytes where each byte says where it is (mod 251). */
function withFile(size: number, body: (path: string, bytes: Uint8Array) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'file-source-'));
  const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251);
  const path = join(dir, 'data.bin');
  writeFileSync(path, bytes);
  try {
    body(path, bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expected = (bytes: Uint8Array, offset: number, length: number): number[] => {
  const start = Math.max(0, Math.min(offset, bytes.length));
  return Array.from(bytes.subarray(start, Math.max(start, Math.min(bytes.length, start + Math.max(0, length)))));
};

test('reads what a memory source would: small header reads far apart, runs of small reads, large reads', () => {
  withFile(1_000_000, (path, bytes) => {
    using source = new FileSource(path);
    assert.equal(source.size, bytes.length);
    const reads: [number, number][] = [];
    for (let at = 0; at < bytes.length; at += 40_000) reads.push([at, 32]); // block headers 40 kB apart
    for (let at = 500_000; at < 520_000; at += 37) reads.push([at, 32]); // a run of small elements
    reads.push([3, 200_000], [999_990, 32], [0, 5], [123_456, 70_000], [10, 0]); // big reads, the end, nothing
    for (const [offset, length] of reads) {
      assert.deepEqual(Array.from(source.read(offset, length)), expected(bytes, offset, length), `read(${offset}, ${length})`);
    }
  });
});

test('reads at or past the end and odd arguments are clamped like the ByteSource contract says', () => {
  withFile(10_000, (path, bytes) => {
    using source = new FileSource(path);
    for (const [offset, length] of [[9_990, 100], [10_000, 10], [20_000, 10], [-5, 10], [100, -3], [0, 10_000], [0, 1e9]] as const) {
      assert.deepEqual(Array.from(source.read(offset, length)), expected(bytes, offset, length), `read(${offset}, ${length})`);
    }
  });
});

test('random reads of any size match the file, whatever was read before', () => {
  withFile(300_000, (path, bytes) => {
    using source = new FileSource(path);
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const offset = next(bytes.length + 100);
      const length = next(4) === 0 ? next(150_000) : next(64);
      assert.deepEqual(Array.from(source.read(offset, length)), expected(bytes, offset, length), `read(${offset}, ${length})`);
    }
  });
});

test('readMatroska through a FileSource finds what it finds in memory', () => {
  const media = 'test/fixtures/media';
  for (const name of readdirSync(media).filter((n) => n.endsWith('.mkv'))) {
    using source = new FileSource(join(media, name));
    const memory = bytesSource(new Uint8Array(readFileSync(join(media, name))));
    const options = { blocks: true, tree: {} };
    assert.deepEqual(readMatroska(source, options), readMatroska(memory, options), name);
  }
});
