import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { FragmentStore, StoreError } from '../../../../src/local/storage/fragmentStore';
import type { FragmentRecord, TimestampKind } from '../../../../src/local/storage/fragmentStore';
import { bytesFor, headerFor, metaFor, tempDir } from './helpers';

function withStore(label: string, body: (dir: string) => void): void {
  const { dir, cleanup } = tempDir(label);
  try {
    body(dir);
  } finally {
    cleanup();
  }
}

function storeError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof StoreError && error.code === code;
}

test('append, get, readCluster, readHeader, first, last and after round-trip', () => {
  withStore('roundtrip', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      assert.equal(store.count, 0);
      assert.equal(store.first(), undefined);
      assert.equal(store.last(), undefined);
      const records: FragmentRecord[] = [];
      for (let i = 0; i < 10; i++) records.push(store.append(headerFor(0), bytesFor(i, 100 + i * 37), metaFor(i, { trackNumbers: i % 2 ? [1] : [1, 2] })));
      assert.equal(store.count, 10);
      for (const [i, record] of records.entries()) {
        assert.match(record.fragmentNumber, /^[1-9][0-9]{46}$/);
        assert.ok(record.fragmentNumber.startsWith(store.fragmentNumberPrefix));
        assert.deepEqual(store.get(record.fragmentNumber), record);
        assert.deepEqual(record, {
          fragmentNumber: record.fragmentNumber,
          ...metaFor(i, { trackNumbers: i % 2 ? [1] : [1, 2] }),
          sizeBytes: 100 + i * 37,
          headerId: 1,
        });
        assert.deepEqual(store.readCluster(record), bytesFor(i, 100 + i * 37));
        assert.deepEqual(store.readCluster(record.fragmentNumber), bytesFor(i, 100 + i * 37));
        const previous = records[i - 1];
        if (previous !== undefined) assert.ok(previous.fragmentNumber < record.fragmentNumber, 'string order is append order');
      }
      assert.deepEqual(store.readHeader(1), headerFor(0));
      assert.deepEqual(store.first(), records[0]);
      assert.deepEqual(store.last(), records[9]);
      assert.deepEqual(store.after(undefined, 3), records.slice(0, 3));
      assert.deepEqual(store.after(records[3]?.fragmentNumber, 4), records.slice(4, 8));
      assert.deepEqual(store.after(records[8]?.fragmentNumber, 100), records.slice(9));
      assert.deepEqual(store.after(records[9]?.fragmentNumber, 100), []);
      assert.deepEqual(store.after(undefined, 0), []);
    } finally {
      store.close();
    }
  });
});

test('unknown, foreign and malformed fragment numbers are not found', () => {
  withStore('unknown', (dir) => {
    const store = FragmentStore.open(dir, { fragmentNumberPrefix: '123456789012345678901234567' });
    try {
      const record = store.append(headerFor(0), bytesFor(1, 10), metaFor(1));
      assert.equal(record.fragmentNumber, '12345678901234567890123456700000000000000000001');
      assert.equal(store.get('12345678901234567890123456700000000000000000002'), undefined);
      assert.equal(store.get('92345678901234567890123456700000000000000000001'), undefined);
      assert.equal(store.get('1'), undefined);
      assert.equal(store.get('1234567890123456789012345670000000000000000000x'), undefined);
      assert.equal(store.get('12345678901234567890123456799999999999999999999'), undefined);
      assert.throws(() => store.readCluster('12345678901234567890123456700000000000000000002'), storeError('NOT_FOUND'));
      assert.throws(() => store.readHeader(2), storeError('NOT_FOUND'));
      assert.throws(() => store.readHeader(0), storeError('NOT_FOUND'));
      assert.throws(() => store.after('92345678901234567890123456700000000000000000001', 1), storeError('INVALID_ARGUMENT'));
    } finally {
      store.close();
    }
  });
});

test('headers are stored once per distinct content and referenced by id', () => {
  withStore('headers', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      const a = store.append(headerFor(0), bytesFor(1, 10), metaFor(1));
      const b = store.append(headerFor(1), bytesFor(2, 10), metaFor(2));
      const c = store.append(headerFor(0).slice(), bytesFor(3, 10), metaFor(3));
      const d = store.append(new Uint8Array(0), bytesFor(4, 10), metaFor(4));
      assert.deepEqual([a.headerId, b.headerId, c.headerId, d.headerId], [1, 2, 1, 3]);
      assert.deepEqual(store.readHeader(2), headerFor(1));
      assert.deepEqual(store.readHeader(3), new Uint8Array(0));
      assert.equal(store.stats().headers, 3);
      // readHeader hands out a copy.
      store.readHeader(1).fill(0);
      assert.deepEqual(store.readHeader(1), headerFor(0));
    } finally {
      store.close();
    }
    const reopened = FragmentStore.open(dir);
    try {
      assert.equal(reopened.stats().headers, 3);
      assert.equal(reopened.append(headerFor(1), bytesFor(5, 10), metaFor(5)).headerId, 2, 'dedup survives a restart');
      assert.equal(reopened.stats().headers, 3);
    } finally {
      reopened.close();
    }
  });
});

test('range is inclusive on start timestamps, ordered, and honours limit', () => {
  withStore('range', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      const records = Array.from({ length: 20 }, (_, i) => store.append(headerFor(0), bytesFor(i, 20), metaFor(i)));
      const server = (i: number): number => metaFor(i).serverTimestampMs;
      const producer = (i: number): number => metaFor(i).producerTimestampMs;
      assert.deepEqual(store.range('SERVER_TIMESTAMP', server(3), server(7), 100).records, records.slice(3, 8));
      assert.deepEqual(store.range('PRODUCER_TIMESTAMP', producer(3), producer(7), 100).records, records.slice(3, 8));
      // Between fragment starts: only starts inside count (a fragment that started before is excluded).
      assert.deepEqual(store.range('SERVER_TIMESTAMP', server(3) + 1, server(7) - 1, 100).records, records.slice(4, 7));
      assert.deepEqual(store.range('SERVER_TIMESTAMP', server(5), server(5), 100).records, records.slice(5, 6));
      assert.deepEqual(store.range('SERVER_TIMESTAMP', server(19) + 1, Infinity, 100).records, []);
      assert.deepEqual(store.range('SERVER_TIMESTAMP', 0, server(0) - 1, 100).records, []);
      assert.deepEqual(store.range('SERVER_TIMESTAMP', server(7), server(3), 100).records, [], 'end before start');
      const page = store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 5);
      assert.deepEqual(page.records, records.slice(0, 5));
      assert.equal(typeof page.next, 'string');
      const exact = store.range('SERVER_TIMESTAMP', server(0), server(4), 5);
      assert.equal(exact.next, undefined, 'no cursor when nothing more matches');
    } finally {
      store.close();
    }
  });
});

test('producer timestamps that go backwards (a producer restart) keep the producer index right', () => {
  withStore('backwards', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      // Three producer sessions; the second one's clock starts before the first one's.
      const producerTimes = [1000, 2000, 3000, 4000, 500, 1500, 2500, 3500, 4500, 2000, 2000, 100];
      const records = producerTimes.map((p, i) => store.append(headerFor(0), bytesFor(i, 30), metaFor(i, { producerTimestampMs: p })));
      const expectedOrder = (lo: number, hi: number): FragmentRecord[] =>
        records
          .map((r, i) => ({ r, i }))
          .filter(({ r }) => r.producerTimestampMs >= lo && r.producerTimestampMs <= hi)
          .sort((a, b) => a.r.producerTimestampMs - b.r.producerTimestampMs || a.i - b.i)
          .map(({ r }) => r);
      for (const [lo, hi] of [
        [0, 10_000],
        [1000, 2000],
        [1001, 1999],
        [2000, 2000],
        [100, 100],
        [4500, 4600],
        [4600, 5000],
      ] as const) {
        assert.deepEqual(store.range('PRODUCER_TIMESTAMP', lo, hi, 100).records, expectedOrder(lo, hi), `[${lo}, ${hi}]`);
      }
      // Server order is untouched: append order.
      assert.deepEqual(store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 100).records, records);
    } finally {
      store.close();
    }
    const reopened = FragmentStore.open(dir);
    try {
      const all = reopened.range('PRODUCER_TIMESTAMP', -Infinity, Infinity, 100).records.map((r) => r.producerTimestampMs);
      assert.deepEqual(all, [100, 500, 1000, 1500, 2000, 2000, 2000, 2500, 3000, 3500, 4000, 4500], 'rebuilt after a restart');
    } finally {
      reopened.close();
    }
  });
});

test('cursor paging returns every matching fragment exactly once, for both kinds', () => {
  withStore('paging', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      let state = 7;
      const random = (): number => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
      };
      const items = Array.from({ length: 300 }, (_, i) => ({
        cluster: bytesFor(i, 8),
        // Producer times jump around and repeat; several fragments share a server timestamp.
        meta: metaFor(i, { serverTimestampMs: 1_000_000 + Math.floor(i / 3) * 1000, producerTimestampMs: Math.floor(random() * 50) * 1000 }),
      }));
      const records = store.appendMany(headerFor(0), items);
      for (const kind of ['SERVER_TIMESTAMP', 'PRODUCER_TIMESTAMP'] as TimestampKind[]) {
        const ts = (r: FragmentRecord): number => (kind === 'SERVER_TIMESTAMP' ? r.serverTimestampMs : r.producerTimestampMs);
        for (const [lo, hi] of [
          [-Infinity, Infinity],
          [10_000, 30_000],
          [1_010_000, 1_050_000],
        ] as const) {
          const expected = records.filter((r) => ts(r) >= lo && ts(r) <= hi);
          for (const limit of [1, 7, 50, 1000]) {
            const seen: FragmentRecord[] = [];
            let cursor: string | undefined;
            let pages = 0;
            do {
              const page = store.range(kind, lo, hi, limit, cursor);
              assert.ok(page.records.length <= limit);
              seen.push(...page.records);
              cursor = page.next;
              pages++;
              assert.ok(pages <= records.length + 1, 'paging ends');
            } while (cursor !== undefined);
            assert.equal(seen.length, expected.length, `${kind} [${lo}, ${hi}] limit ${limit}`);
            assert.equal(new Set(seen.map((r) => r.fragmentNumber)).size, expected.length, 'no repeats');
            assert.deepEqual(
              new Set(seen.map((r) => r.fragmentNumber)),
              new Set(expected.map((r) => r.fragmentNumber)),
            );
            for (let i = 1; i < seen.length; i++) {
              const a = seen[i - 1];
              const b = seen[i];
              if (a !== undefined && b !== undefined) {
                assert.ok(ts(a) < ts(b) || (ts(a) === ts(b) && a.fragmentNumber < b.fragmentNumber), 'timestamp order');
              }
            }
          }
        }
      }
    } finally {
      store.close();
    }
  });
});

test('a cursor stays valid while fragments are appended and pruned between pages', () => {
  withStore('cursor-live', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      store.appendMany(
        headerFor(0),
        Array.from({ length: 10 }, (_, i) => ({ cluster: bytesFor(i, 8), meta: metaFor(i) })),
      );
      const first = store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 4);
      assert.equal(first.records.length, 4);
      store.pruneBefore(metaFor(6).serverTimestampMs); // drops 0..5, including the cursor's fragment
      store.append(headerFor(0), bytesFor(10, 8), metaFor(10));
      const second = store.range('SERVER_TIMESTAMP', -Infinity, Infinity, 100, first.next);
      assert.deepEqual(
        second.records.map((r) => r.clusterTimecode),
        [6, 7, 8, 9, 10].map((i) => metaFor(i).clusterTimecode),
      );
      const p1 = store.range('PRODUCER_TIMESTAMP', -Infinity, Infinity, 2);
      store.append(headerFor(0), bytesFor(11, 8), metaFor(11, { producerTimestampMs: 0 })); // sorts before the cursor
      const p2 = store.range('PRODUCER_TIMESTAMP', -Infinity, Infinity, 100, p1.next);
      assert.deepEqual(
        p2.records.map((r) => r.clusterTimecode),
        [8, 9, 10].map((i) => metaFor(i).clusterTimecode),
      );
    } finally {
      store.close();
    }
  });
});

test('bad arguments are INVALID_ARGUMENT, a closed store is CLOSED, a second open is IN_USE', () => {
  withStore('args', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      const header = headerFor(0);
      const cluster = bytesFor(0, 4);
      assert.throws(() => store.append(header, cluster, metaFor(0, { serverTimestampMs: Number.NaN })), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.append(header, cluster, metaFor(0, { producerTimestampMs: Infinity })), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.append(header, cluster, metaFor(0, { durationMs: -1 })), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.append(header, cluster, metaFor(0, { trackNumbers: [0] })), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.append(header, cluster, metaFor(0, { trackNumbers: [33] })), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.range('SERVER_TIMESTAMP', 0, 1, 0), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.range('SERVER_TIMESTAMP', Number.NaN, 1, 1), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.range('BOGUS' as TimestampKind, 0, 1, 1), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.range('SERVER_TIMESTAMP', 0, 1, 1, 'nonsense'), storeError('INVALID_ARGUMENT'));
      assert.throws(() => store.range('SERVER_TIMESTAMP', 0, 1, 1, 'P5:1'), storeError('INVALID_ARGUMENT'), 'cursor of the other kind');
      assert.throws(() => store.pruneBefore(Number.NaN), storeError('INVALID_ARGUMENT'));
      assert.equal(store.count, 0, 'nothing was stored by the rejected appends');
      assert.equal(store.append(header, cluster, metaFor(0, { trackNumbers: [32, 3, 1] })).trackNumbers.join(), '1,3,32');
      assert.throws(() => FragmentStore.open(dir), storeError('IN_USE'));
      assert.throws(() => FragmentStore.open(`${dir}/`), storeError('IN_USE'));
    } finally {
      store.close();
    }
    store.close(); // twice is fine
    assert.throws(() => store.count, storeError('CLOSED'));
    assert.throws(() => store.append(headerFor(0), bytesFor(0, 4), metaFor(0)), storeError('CLOSED'));
    assert.throws(() => FragmentStore.open(dir, { segmentBytes: 0 }), storeError('INVALID_ARGUMENT'));
  });
  withStore('prefix', (dir) => {
    assert.throws(() => FragmentStore.open(dir, { fragmentNumberPrefix: '0123' }), storeError('INVALID_ARGUMENT'));
  });
});

test('a server clock that steps back does not break server-timestamp order', () => {
  withStore('clock', (dir) => {
    const store = FragmentStore.open(dir);
    try {
      store.append(headerFor(0), bytesFor(0, 4), metaFor(0, { serverTimestampMs: 5000 }));
      const held = store.append(headerFor(0), bytesFor(1, 4), metaFor(1, { serverTimestampMs: 4000 }));
      assert.equal(held.serverTimestampMs, 5000);
      assert.equal(store.range('SERVER_TIMESTAMP', 5000, 5000, 10).records.length, 2);
    } finally {
      store.close();
    }
  });
});

test('restart: everything is there with the same numbers, and new appends continue the sequence', () => {
  withStore('restart', (dir) => {
    const options = { segmentBytes: 2000 };
    let store = FragmentStore.open(dir, options);
    const records: FragmentRecord[] = [];
    for (let i = 0; i < 25; i++) records.push(store.append(headerFor(i % 3), bytesFor(i, 50 + i * 13), metaFor(i)));
    const prefix = store.fragmentNumberPrefix;
    const segments = store.stats().segments;
    assert.ok(segments > 3, 'the test spans several segments');
    store.close();

    store = FragmentStore.open(dir, options);
    try {
      assert.equal(store.fragmentNumberPrefix, prefix);
      assert.deepEqual(store.recovery, { truncatedDataBytes: 0, droppedIndexBytes: 0, rebuiltIndexRecords: 0, truncatedHeaderBytes: 0, removedSegments: 0, issues: [] });
      assert.equal(store.count, 25);
      assert.equal(store.stats().segments, segments);
      assert.deepEqual(store.after(undefined, 100), records);
      for (const [i, r] of records.entries()) assert.deepEqual(store.readCluster(r), bytesFor(i, 50 + i * 13));
      for (let i = 0; i < 3; i++) assert.deepEqual(store.readHeader(i + 1), headerFor(i));
      const next = store.append(headerFor(0), bytesFor(25, 10), metaFor(25));
      assert.equal(BigInt(next.fragmentNumber), BigInt(records.at(-1)?.fragmentNumber ?? '0') + 1n);
      assert.equal(store.count, 26);
    } finally {
      store.close();
    }
    store = FragmentStore.open(dir);
    try {
      assert.equal(store.count, 26);
      assert.deepEqual(store.readCluster(store.last() ?? ''), bytesFor(25, 10));
    } finally {
      store.close();
    }
  });
});

test('appendMany stores a batch in one go, rolling segments inside the batch', () => {
  withStore('batch', (dir) => {
    const store = FragmentStore.open(dir, { segmentBytes: 1000 });
    try {
      const items = Array.from({ length: 40 }, (_, i) => ({ cluster: bytesFor(i, 100 + (i % 5) * 100), meta: metaFor(i) }));
      const records = store.appendMany(headerFor(0), items);
      assert.equal(records.length, 40);
      assert.deepEqual(store.appendMany(headerFor(0), []), []);
      const files = readdirSync(dir).filter((f) => f.endsWith('.kvd'));
      assert.equal(files.length, store.stats().segments);
      assert.ok(files.length > 10);
      for (const [i, r] of records.entries()) assert.deepEqual(store.readCluster(r), items[i]?.cluster);
      // A cluster larger than a segment gets a segment of its own.
      const big = store.append(headerFor(0), bytesFor(99, 5000), metaFor(40));
      assert.deepEqual(store.readCluster(big), bytesFor(99, 5000));
    } finally {
      store.close();
    }
    const reopened = FragmentStore.open(dir, { segmentBytes: 1000 });
    try {
      assert.equal(reopened.count, 41);
    } finally {
      reopened.close();
    }
  });
});

test('destroy deletes the directory', () => {
  withStore('destroy', (dir) => {
    const store = FragmentStore.open(`${dir}/stream`);
    store.append(headerFor(0), bytesFor(0, 4), metaFor(0));
    store.destroy();
    assert.deepEqual(readdirSync(dir), []);
    assert.throws(() => store.count, storeError('CLOSED'));
    // The name can be used again for a new, empty store.
    const again = FragmentStore.open(`${dir}/stream`);
    assert.equal(again.count, 0);
    again.destroy();
  });
});
