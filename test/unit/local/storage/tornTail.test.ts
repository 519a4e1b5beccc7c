// Torn and corrupt tails: the files of a store are cut or damaged the ways a crash (or a disk) can
// leave them, then the store is opened again.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FragmentStore, StoreError } from '../../../../src/local/storage/fragmentStore';
import { bytesFor, headerFor, metaFor, tempDir } from './helpers';

type Snapshot = Map<string, Buffer>;

const OPTIONS = { segmentBytes: 4096 };
const N = 12;
const clusterSize = (i: number): number => 150 + ((i * 53) % 400);

function snapshot(dir: string): Snapshot {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

function restore(dir: string, files: Snapshot): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes, { flag: 'w' });
}

function write(dir: string, name: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, name), bytes);
}

/** Builds the pristine states: after N-1 fragments (closed) and after N fragments (closed). */
function buildStates(dir: string): { before: Snapshot; after: Snapshot; dataName: string; indexName: string; lastEntryStart: number } {
  const store = FragmentStore.open(dir, { ...OPTIONS, fragmentNumberPrefix: '100000000000000000000000042' });
  for (let i = 0; i < N - 1; i++) store.append(headerFor(i < 5 ? 0 : 1), bytesFor(i, clusterSize(i)), metaFor(i));
  store.close();
  const before = snapshot(dir);
  const again = FragmentStore.open(dir, OPTIONS);
  again.append(headerFor(1), bytesFor(N - 1, clusterSize(N - 1)), metaFor(N - 1));
  again.close();
  const after = snapshot(dir);
  const dataName = [...after.keys()].filter((n) => n.endsWith('.kvd')).sort().at(-1) ?? '';
  const indexName = dataName.replace('.kvd', '.kvi');
  assert.ok(dataName !== '' && [...after.keys()].filter((n) => n.endsWith('.kvd')).length >= 2, 'several segments');
  const lastEntryStart = (after.get(dataName)?.length ?? 0) - 64 - clusterSize(N - 1);
  assert.equal(before.get(dataName)?.length, lastEntryStart, 'the last fragment went into the same segment');
  return { before, after, dataName, indexName, lastEntryStart };
}

function fragmentNumber(i: number): string {
  return `100000000000000000000000042${String(i + 1).padStart(20, '0')}`;
}

/** Opens the damaged store and checks that exactly the first `expected` fragments are there, whole. */
function checkRecovered(dir: string, expected: number, label: string): void {
  const store = FragmentStore.open(dir, OPTIONS);
  try {
    assert.equal(store.count, expected, `${label}: count`);
    const all = store.after(undefined, 1000);
    assert.deepEqual(
      all.map((r) => r.fragmentNumber),
      Array.from({ length: expected }, (_, i) => fragmentNumber(i)),
      `${label}: fragment numbers`,
    );
    for (let i = 0; i < expected; i++) assert.deepEqual(store.readCluster(fragmentNumber(i)), bytesFor(i, clusterSize(i)), `${label}: cluster ${i}`);
    // Appends continue right after the last durable fragment, and survive another restart.
    const next = store.append(headerFor(2), bytesFor(500, 77), metaFor(N));
    assert.equal(next.fragmentNumber, fragmentNumber(expected), `${label}: next number`);
  } finally {
    store.close();
  }
  const reopened = FragmentStore.open(dir, OPTIONS);
  try {
    assert.equal(reopened.count, expected + 1, `${label}: count after the next restart`);
    assert.deepEqual(reopened.recovery.truncatedDataBytes + reopened.recovery.droppedIndexBytes + reopened.recovery.rebuiltIndexRecords, 0, `${label}: clean`);
    assert.deepEqual(reopened.readCluster(fragmentNumber(expected)), bytesFor(500, 77));
    assert.deepEqual(reopened.readHeader(reopened.last()?.headerId ?? 0), headerFor(2));
  } finally {
    reopened.close();
  }
}

test('a data file cut inside the last entry (at every header byte, every 9th cluster byte) loses only that entry', () => {
  const { dir, cleanup } = tempDir('torn-data');
  try {
    const { before, after, dataName, indexName, lastEntryStart } = buildStates(dir);
    const end = after.get(dataName)?.length ?? 0;
    // Every cut inside the entry header, every 9th inside the cluster, and the last bytes.
    const cuts = new Set<number>();
    for (let cut = lastEntryStart; cut < end; cut += cut < lastEntryStart + 64 ? 1 : 9) cuts.add(cut);
    for (let cut = end - 3; cut < end; cut++) cuts.add(cut);
    for (const cut of cuts) {
      // The index record exists only if the data was complete; a cut data file with it is checked too.
      for (const indexFrom of cut % 3 === 0 ? [after, before] : [before]) {
        restore(dir, after);
        write(dir, indexName, indexFrom.get(indexName) ?? Buffer.alloc(0));
        truncateSync(join(dir, dataName), cut);
        checkRecovered(dir, N - 1, `cut at ${cut}, index ${indexFrom === after ? 'with' : 'without'} the record`);
      }
    }
  } finally {
    cleanup();
  }
});

test('an index cut at any byte loses nothing: the index is rebuilt from the data, byte for byte', () => {
  const { dir, cleanup } = tempDir('torn-index');
  try {
    const { after, dataName, indexName } = buildStates(dir);
    const full = after.get(indexName) ?? Buffer.alloc(0);
    for (let cut = 0; cut < full.length; cut++) {
      restore(dir, after);
      truncateSync(join(dir, indexName), cut);
      const store = FragmentStore.open(dir, OPTIONS);
      try {
        assert.equal(store.count, N, `index cut at ${cut}`);
        assert.equal(store.recovery.truncatedDataBytes, 0);
      } finally {
        store.close();
      }
      assert.deepEqual(readFileSync(join(dir, indexName)), full, `index cut at ${cut}: rebuilt`);
      assert.deepEqual(readFileSync(join(dir, dataName)), after.get(dataName));
    }
    restore(dir, after);
    unlinkSync(join(dir, indexName));
    checkRecovered(dir, N, 'index file missing');
    assert.ok(existsSync(join(dir, indexName)));
  } finally {
    cleanup();
  }
});

test('a corrupt byte in the torn last entry is detected and the entry cut', () => {
  const { dir, cleanup } = tempDir('corrupt-data');
  try {
    const { before, after, dataName, indexName, lastEntryStart } = buildStates(dir);
    const data = after.get(dataName) ?? Buffer.alloc(0);
    for (let at = lastEntryStart; at < data.length; at += at < lastEntryStart + 64 ? 2 : 11) {
      // The crash came before the index record was written: the entry is only in the data file.
      restore(dir, after);
      write(dir, indexName, before.get(indexName) ?? Buffer.alloc(0));
      const damaged = Buffer.from(data);
      damaged[at] = (damaged[at] ?? 0) ^ 0x5a;
      write(dir, dataName, damaged);
      checkRecovered(dir, N - 1, `byte ${at} flipped`);
    }
    // Blocks that never got written come back as zeros.
    restore(dir, after);
    write(dir, indexName, before.get(indexName) ?? Buffer.alloc(0));
    const zeroed = Buffer.from(data);
    zeroed.fill(0, lastEntryStart + 64);
    write(dir, dataName, zeroed);
    checkRecovered(dir, N - 1, 'payload zeros');
  } finally {
    cleanup();
  }
});

test('a corrupt entry header of an indexed entry is found by the index check; a corrupt indexed cluster by readCluster', () => {
  const { dir, cleanup } = tempDir('corrupt-indexed');
  try {
    const { after, dataName, lastEntryStart } = buildStates(dir);
    const data = after.get(dataName) ?? Buffer.alloc(0);
    for (let at = lastEntryStart; at < lastEntryStart + 64; at += 3) {
      restore(dir, after);
      const damaged = Buffer.from(data);
      damaged[at] = (damaged[at] ?? 0) ^ 0x01;
      write(dir, dataName, damaged);
      checkRecovered(dir, N - 1, `entry header byte ${at - lastEntryStart} flipped`);
    }
    restore(dir, after);
    const damaged = Buffer.from(data);
    damaged[lastEntryStart + 64 + 10] = (damaged[lastEntryStart + 64 + 10] ?? 0) ^ 0x01;
    write(dir, dataName, damaged);
    const store = FragmentStore.open(dir, OPTIONS);
    try {
      assert.equal(store.count, N, 'the index is trusted for its extent; the cluster is checked on read');
      assert.throws(() => store.readCluster(fragmentNumber(N - 1)), (e) => e instanceof StoreError && e.code === 'CORRUPT');
      assert.deepEqual(store.readCluster(fragmentNumber(N - 2)), bytesFor(N - 2, clusterSize(N - 2)));
    } finally {
      store.close();
    }
  } finally {
    cleanup();
  }
});

test('a corrupt index record (last or in the middle) loses nothing', () => {
  const { dir, cleanup } = tempDir('corrupt-index');
  try {
    const { after, indexName } = buildStates(dir);
    const index = after.get(indexName) ?? Buffer.alloc(0);
    for (let at = 0; at < index.length; at++) {
      restore(dir, after);
      const damaged = Buffer.from(index);
      damaged[at] = (damaged[at] ?? 0) ^ 0x80;
      write(dir, indexName, damaged);
      const store = FragmentStore.open(dir, OPTIONS);
      try {
        assert.equal(store.count, N, `index byte ${at} flipped`);
        for (let i = 0; i < N; i++) assert.deepEqual(store.readCluster(fragmentNumber(i)), bytesFor(i, clusterSize(i)));
      } finally {
        store.close();
      }
      assert.deepEqual(readFileSync(join(dir, indexName)), index, `index byte ${at} flipped: rebuilt`);
    }
  } finally {
    cleanup();
  }
});

test('garbage after the last entry is cut', () => {
  const { dir, cleanup } = tempDir('garbage');
  try {
    const { after, dataName } = buildStates(dir);
    for (const tail of [Buffer.alloc(1), Buffer.alloc(63), Buffer.alloc(64), Buffer.alloc(4096), Buffer.from(bytesFor(9, 300))]) {
      restore(dir, after);
      write(dir, dataName, Buffer.concat([after.get(dataName) ?? Buffer.alloc(0), tail]));
      const store = FragmentStore.open(dir, OPTIONS);
      try {
        assert.equal(store.recovery.truncatedDataBytes, tail.length);
      } finally {
        store.close();
      }
      checkRecovered(dir, N, `${tail.length} bytes of garbage`);
    }
  } finally {
    cleanup();
  }
});

test('a torn stream header is cut, and the header is stored again by the next append', () => {
  const { dir, cleanup } = tempDir('torn-header');
  try {
    const { after } = buildStates(dir);
    const headers = after.get('headers.kvh') ?? Buffer.alloc(0);
    // Header 3 was being written when the process died (no fragment refers to it yet).
    const entry = Buffer.alloc(24 + headerFor(2).length);
    const store = FragmentStore.open(dir, OPTIONS);
    store.append(headerFor(2), bytesFor(600, 10), metaFor(N));
    store.close();
    const withThird = readFileSync(join(dir, 'headers.kvh'));
    assert.equal(withThird.length, headers.length + entry.length);
    for (let cut = headers.length; cut < withThird.length; cut += cut < headers.length + 24 ? 1 : 13) {
      restore(dir, after);
      write(dir, 'headers.kvh', withThird.subarray(0, cut));
      const reopened = FragmentStore.open(dir, OPTIONS);
      try {
        assert.equal(reopened.recovery.truncatedHeaderBytes, cut - headers.length);
        assert.equal(reopened.stats().headers, 2);
      } finally {
        reopened.close();
      }
      checkRecovered(dir, N, `headers cut at ${cut}`);
    }
  } finally {
    cleanup();
  }
});

test('an unfinished new segment (torn file header) is removed and appends continue', () => {
  const { dir, cleanup } = tempDir('torn-segment');
  try {
    const { after, dataName } = buildStates(dir);
    const next = dataName.replace(/\d{8}/, (n) => String(Number(n) + 1).padStart(8, '0'));
    for (const size of [0, 1, 20, 31]) {
      restore(dir, after);
      write(dir, next, new Uint8Array(size));
      const store = FragmentStore.open(dir, OPTIONS);
      try {
        assert.equal(store.recovery.removedSegments, 1);
      } finally {
        store.close();
      }
      checkRecovered(dir, N, `new segment of ${size} bytes`);
    }
  } finally {
    cleanup();
  }
});

test('fragment data without store.json is refused rather than renumbered', () => {
  const { dir, cleanup } = tempDir('no-meta');
  try {
    buildStates(dir);
    unlinkSync(join(dir, 'store.json'));
    assert.throws(() => FragmentStore.open(dir, OPTIONS), (e) => e instanceof StoreError && e.code === 'CORRUPT');
    writeFileSync(join(dir, 'store.json'), '{"format":1');
    assert.throws(() => FragmentStore.open(dir, OPTIONS), (e) => e instanceof StoreError && e.code === 'CORRUPT');
  } finally {
    cleanup();
  }
});
