import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { crc32Payload, crc32Small } from '../../../../src/local/storage/crc32';
import { FragmentIndex } from '../../../../src/local/storage/fragmentIndex';
import {
  ENTRY_HEADER_BYTES,
  decodeEntryHeader,
  decodeFileHeader,
  decodeLowWater,
  encodeEntryHeader,
  encodeFileHeader,
  encodeLowWater,
  trackMaskOf,
  trackNumbersOf,
} from '../../../../src/local/storage/format';
import type { EntryHeader } from '../../../../src/local/storage/format';
import { bytesFor } from './helpers';

function entry(seq: number, server: number, producer: number): EntryHeader {
  return { seq, sizeBytes: 10, serverTimestampMs: server, producerTimestampMs: producer, clusterTimecode: 0, durationMs: 1, headerId: 1, trackMask: 1, payloadCrc: 0 };
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test('CRC-32: the JavaScript and zlib implementations agree with each other and with the check value', () => {
  const check = new TextEncoder().encode('123456789');
  assert.equal(crc32Small(check), 0xcbf43926);
  assert.equal(crc32Payload(check), 0xcbf43926);
  for (let length = 0; length < 200; length++) {
    const bytes = bytesFor(length, length + 7);
    assert.equal(crc32Small(bytes, 3, 3 + length), crc32(bytes.subarray(3, 3 + length)) >>> 0, `length ${length}`);
  }
  assert.equal(crc32Payload(check.subarray(4), crc32Payload(check.subarray(0, 4))), 0xcbf43926, 'continues a running CRC');
});

test('records encode and decode; any flipped bit is caught', () => {
  const e: EntryHeader = { ...entry(123456789012, 1.7e12, 1.6e12 + 0.5, ), clusterTimecode: 2 ** 40, sizeBytes: 0xffff_fffe, trackMask: 0x8000_0001, payloadCrc: 0xdead_beef };
  const bytes = encodeEntryHeader(e);
  assert.equal(bytes.length, ENTRY_HEADER_BYTES);
  assert.deepEqual(decodeEntryHeader(bytes), e);
  for (let bit = 0; bit < ENTRY_HEADER_BYTES * 8; bit++) {
    const damaged = bytes.slice();
    damaged[bit >> 3] = (damaged[bit >> 3] ?? 0) ^ (1 << (bit & 7));
    assert.equal(decodeEntryHeader(damaged), undefined, `bit ${bit}`);
  }
  const file = encodeFileHeader({ kind: 'data', segment: 7, firstSeq: 99 });
  assert.deepEqual(decodeFileHeader(file, 'data'), { kind: 'data', segment: 7, firstSeq: 99 });
  assert.equal(decodeFileHeader(file, 'index'), undefined, 'kinds are told apart');
  assert.equal(decodeFileHeader(file.subarray(0, 31), 'data'), undefined);
  assert.equal(decodeLowWater(encodeLowWater(42)), 42);
  assert.equal(decodeLowWater(encodeLowWater(42).subarray(1)), undefined);
  assert.deepEqual(trackNumbersOf(trackMaskOf([2, 1, 32, 2])), [1, 2, 32]);
  assert.deepEqual(trackNumbersOf(0), []);
});

test('the index answers like a brute-force model through appends, backwards producer times and prunes', () => {
  const next = random(99);
  const index = new FragmentIndex();
  const model: EntryHeader[] = [];
  let seq = 1;
  let server = 1000;
  for (let round = 0; round < 30; round++) {
    const appends = Math.floor(next() * 200);
    for (let i = 0; i < appends; i++) {
      server += Math.floor(next() * 3); // repeats allowed
      const producer = Math.floor(next() * 500); // anything, with many repeats
      const e = entry(seq, server, producer);
      seq += next() < 0.1 ? 2 : 1; // gaps in sequence numbers (damaged sealed segments) are allowed
      index.push(e, 1, 0, true);
      model.push(e);
    }
    if (next() < 0.3 && model.length > 0) {
      const cut = Math.floor(next() * model.length);
      index.dropFirst(cut);
      model.splice(0, cut);
    }
    assert.equal(index.length, model.length);
    const byProducer = model
      .map((e, slot) => ({ e, slot }))
      .sort((a, b) => a.e.producerTimestampMs - b.e.producerTimestampMs || a.e.seq - b.e.seq)
      .map(({ slot }) => slot);
    assert.deepEqual([...index.byProducer.subarray(0, index.length)], byProducer, `producer order, round ${round}`);
    for (let q = 0; q < 20; q++) {
      const ts = Math.floor(next() * 520) - 10;
      assert.equal(index.producerRank(ts, -Infinity), byProducer.filter((slot) => (model[slot]?.producerTimestampMs ?? 0) < ts).length);
      const s = 1000 + Math.floor(next() * (server - 990));
      assert.equal(index.firstSlotAtOrAfterServer(s), model.filter((e) => e.serverTimestampMs < s).length);
      const probe = Math.floor(next() * (seq + 2));
      const slot = model.findIndex((e) => e.seq === probe);
      assert.equal(index.slotOfSeq(probe), slot);
    }
  }
  // A bulk load with a stale permutation, then one rebuild, gives the same order.
  const bulk = new FragmentIndex();
  for (const e of model) bulk.push(e, 1, 0, false);
  bulk.rebuildProducerOrder();
  assert.deepEqual([...bulk.byProducer.subarray(0, bulk.length)], [...index.byProducer.subarray(0, index.length)]);
});
