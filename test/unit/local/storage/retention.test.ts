import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FragmentStore, StoreError } from '../../../../src/local/storage/fragmentStore';
import type { FragmentRecord } from '../../../../src/local/storage/fragmentStore';
import { bytesFor, headerFor, metaFor, tempDir } from './helpers';

const OPTIONS = { segmentBytes: 3000 };

function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.kvd'))
    .sort();
}

function fill(store: FragmentStore, count: number): FragmentRecord[] {
  return Array.from({ length: count }, (_, i) => store.append(headerFor(0), bytesFor(i, 400), metaFor(i, { producerTimestampMs: 5000 - i })));
}

test('pruneBefore drops old fragments from every read and deletes whole old segments', () => {
  const { dir, cleanup } = tempDir('retention');
  try {
    const store = FragmentStore.open(dir, OPTIONS);
    let records: FragmentRecord[];
    try {
      records = fill(store, 100);
      const before = segmentFiles(dir);
      assert.ok(before.length > 10);
      assert.equal(store.pruneBefore(metaFor(0).serverTimestampMs), 0, 'nothing is older than the first fragment');
      assert.equal(store.pruneBefore(metaFor(37).serverTimestampMs - 1), 37, 'strictly older only');
      assert.equal(store.pruneBefore(metaFor(37).serverTimestampMs), 0, 'idempotent');
      assert.equal(store.count, 63);
      assert.deepEqual(store.first(), records[37]);
      for (const r of records.slice(0, 37)) {
        assert.equal(store.get(r.fragmentNumber), undefined);
        assert.throws(() => store.readCluster(r), (e) => e instanceof StoreError && e.code === 'NOT_FOUND');
      }
      assert.deepEqual(store.after(undefined, 1)[0], records[37]);
      assert.deepEqual(store.after(records[5]?.fragmentNumber, 1)[0], records[37], 'after a pruned fragment: the oldest retained');
      assert.deepEqual(store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 1000).records, records.slice(37));
      // Producer timestamps run backwards here, so the pruned fragments sort last by producer time.
      assert.deepEqual(store.range('PRODUCER_TIMESTAMP', -Infinity, Infinity, 1000).records, records.slice(37).reverse());
      assert.deepEqual(store.range('PRODUCER_TIMESTAMP', 5000 - 36, 5000, 1000).records, []);
      assert.deepEqual(store.readCluster(records[37] ?? ''), bytesFor(37, 400));

      const after = segmentFiles(dir);
      assert.ok(after.length < before.length, 'old segments are gone');
      assert.deepEqual(after, before.slice(before.length - after.length), 'the newest ones are kept');
      // The oldest remaining segment holds fragment 37 (each segment holds 6 fragments of 464 bytes).
      assert.equal(after.length, before.length - Math.floor(37 / 6));
    } finally {
      store.close();
    }

    const reopened = FragmentStore.open(dir, OPTIONS);
    try {
      assert.equal(reopened.count, 63, 'pruned fragments stay pruned after a restart');
      assert.deepEqual(reopened.first(), records[37]);
      assert.equal(reopened.get(records[36]?.fragmentNumber ?? ''), undefined);
      assert.equal(reopened.append(headerFor(0), bytesFor(100, 10), metaFor(100)).fragmentNumber, `${reopened.fragmentNumberPrefix}${String(101).padStart(20, '0')}`);
    } finally {
      reopened.close();
    }
  } finally {
    cleanup();
  }
});

test('pruning everything keeps the numbering: no fragment number is ever given twice', () => {
  const { dir, cleanup } = tempDir('retention-all');
  try {
    const store = FragmentStore.open(dir, OPTIONS);
    let lastNumber: string;
    try {
      const records = fill(store, 20);
      lastNumber = records.at(-1)?.fragmentNumber ?? '';
      assert.equal(store.pruneBefore(Infinity), 20);
      assert.equal(store.count, 0);
      assert.equal(store.first(), undefined);
      assert.equal(store.last(), undefined);
      assert.deepEqual(store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 10), { records: [] });
      assert.equal(segmentFiles(dir).length, 1, 'the active segment stays');
    } finally {
      store.close();
    }
    const reopened = FragmentStore.open(dir, OPTIONS);
    try {
      assert.equal(reopened.count, 0);
      const next = reopened.append(headerFor(0), bytesFor(1, 10), metaFor(30));
      assert.equal(BigInt(next.fragmentNumber), BigInt(lastNumber) + 1n);
      assert.equal(reopened.count, 1);
    } finally {
      reopened.close();
    }
  } finally {
    cleanup();
  }
});

test('a crash between advancing the low-water mark and deleting segments is finished on open', () => {
  const { dir, cleanup } = tempDir('retention-crash');
  try {
    const store = FragmentStore.open(dir, OPTIONS);
    const saved = new Map<string, Buffer>();
    let records: FragmentRecord[];
    try {
      records = fill(store, 40);
      for (const name of readdirSync(dir)) saved.set(name, readFileSync(join(dir, name)));
      store.pruneBefore(metaFor(25).serverTimestampMs);
    } finally {
      store.close();
    }
    // Put the deleted segment files back, as if the process had died before unlinking them.
    for (const [name, bytes] of saved) if (name.startsWith('seg-')) writeFileSync(join(dir, name), bytes);
    const reopened = FragmentStore.open(dir, OPTIONS);
    try {
      assert.equal(reopened.recovery.removedSegments, Math.floor(25 / 6));
      assert.equal(reopened.count, 15);
      assert.deepEqual(reopened.first(), records[25]);
    } finally {
      reopened.close();
    }
  } finally {
    cleanup();
  }
});
