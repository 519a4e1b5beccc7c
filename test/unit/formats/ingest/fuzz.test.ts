// Deterministic mutation fuzzing of the PutMedia splitter: flipped, deleted, duplicated and inserted
// bytes, cut streams, any chunking. It must never throw, never spin, stay within its memory bounds, and
// report nothing after a fatal error.
import assert from 'node:assert/strict';
import { bytesSource } from '../../../../src/formats/byteSource';
import { IngestErrorId, PutMediaSplitter } from '../../../../src/formats/matroska/ingest';
import type { IngestEvent } from '../../../../src/formats/matroska/ingest';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { clusterElement, concatBytes, getMediaChunk, kvsFragmentTags } from '../../../../src/formats/matroska/write';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { fixture, framesOf, planClusters, prng, producerStream } from '../writer/mkvFixtures';

const ITERATIONS = 600;
/** Stop early when the machine is slow, after at least MIN_ITERATIONS. */
const TIME_BUDGET_MS = 2500;
const MIN_ITERATIONS = 150;
const MAX_FRAGMENT = 24 * 1024;
const MAX_ELEMENT = 8 * 1024;

function seeds(): Uint8Array[] {
  const { tracks, frames } = framesOf('h264-baseline.mkv');
  const plans = planClusters(frames.slice(0, 30), 1, 1000).map((plan) => ({ ...plan, blocks: plan.blocks.map((b) => ({ ...b, data: b.data.subarray(0, 200) })) }));
  const small = producerStream(tracks, plans, { tagsEvery: 1, voids: true });
  const known = producerStream(tracks, plans, { unknownSizeClusters: false, segmentSizeWidth: 8 });
  const header = producerStream(tracks, []);
  const getMedia = concatBytes(
    plans.map((plan, i) =>
      getMediaChunk({
        header,
        cluster: clusterElement(plan.timecode, plan.blocks, { unknownSize: i % 2 === 0 }),
        tagsBefore: kvsFragmentTags({ fragmentNumber: String(i), serverTimestampMs: i, producerTimestampMs: plan.timecode }),
        tagsAfter: [],
      }),
    ),
  );
  return [small, known, getMedia, fixture('h264-aac.mkv').subarray(0, 12_000)];
}

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const bytes = input.slice();
  const at = (): number => Math.floor(random() * bytes.length);
  switch (Math.floor(random() * 7)) {
    case 0: {
      for (let i = 0, n = 1 + Math.floor(random() * 8); i < n; i++) bytes[at()] = Math.floor(random() * 256);
      return bytes;
    }
    case 1: {
      const special = [0x00, 0x01, 0xff, 0x80, 0x7f, 0x1f, 0x43, 0xb6, 0x75, 0xa3];
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) bytes[at()] = special[Math.floor(random() * special.length)] ?? 0;
      return bytes;
    }
    case 2: {
      const from = at();
      return concatBytes([bytes.subarray(0, from), bytes.subarray(Math.min(bytes.length, from + 1 + Math.floor(random() * 300)))]);
    }
    case 3: {
      const from = at();
      const piece = bytes.subarray(from, from + 1 + Math.floor(random() * 2000));
      const to = at();
      return concatBytes([bytes.subarray(0, to), piece, bytes.subarray(to)]);
    }
    case 4: {
      const to = at();
      const noise = new Uint8Array(1 + Math.floor(random() * 64)).map(() => Math.floor(random() * 256));
      return concatBytes([bytes.subarray(0, to), noise, bytes.subarray(to)]);
    }
    case 5:
      return bytes.subarray(0, at());
    default: {
      // A size field's first byte: change the width or make it unknown.
      const i = at();
      bytes[i] = [0x01, 0x10, 0x40, 0xff, 0x08][Math.floor(random() * 5)] ?? 0xff;
      return bytes;
    }
  }
}

export function putMediaFuzz(probe: FuzzProbe): string {
  const inputs = seeds();
  const random = prng(20240611);
  const more = fuzzRunsLeft(MIN_ITERATIONS, ITERATIONS, TIME_BUDGET_MS);
  let fragments = 0;
  let errors = 0;
  let iteration = 0;
  for (; more(iteration); iteration++) {
    const base = inputs[iteration % inputs.length];
    assert.ok(base);
    let bytes = mutate(base, random);
    if (random() < 0.3) bytes = mutate(bytes, random);
    const mode = Math.floor(random() * 3);
    probe.input(`seed ${iteration % inputs.length} iteration ${iteration} chunking ${['1 byte', 'up to 64 bytes', 'up to 8 KiB'][mode]}`, bytes);
    const splitter = new PutMediaSplitter({ maxFragmentBytes: MAX_FRAGMENT, maxElementBytes: MAX_ELEMENT });
    const events: IngestEvent[] = [];
    let maxBuffered = 0;
    for (let p = 0; p < bytes.length; ) {
      const size = mode === 0 ? 1 : mode === 1 ? 1 + Math.floor(random() * 64) : 1 + Math.floor(random() * 8192);
      events.push(...splitter.push(bytes.subarray(p, p + size)));
      maxBuffered = Math.max(maxBuffered, splitter.bufferedBytes);
      p += size;
    }
    events.push(...splitter.end());
    assert.equal(splitter.position, bytes.length);
    assert.ok(maxBuffered <= MAX_FRAGMENT + MAX_ELEMENT + 64, `iteration ${iteration}: held ${maxBuffered} bytes`);

    const fatal = events.findIndex((e) => e.type === 'error' && e.fatal);
    if (fatal >= 0) assert.equal(fatal, events.length - 1, `iteration ${iteration}: events after a fatal error`);
    let lastOffset = -1;
    for (const event of events) {
      switch (event.type) {
        case 'error':
          errors++;
          assert.equal(event.errorId, IngestErrorId[event.errorCode]);
          assert.ok(event.offset >= 0 && event.offset <= bytes.length, `iteration ${iteration}: error offset ${event.offset}`);
          assert.ok(event.message.length > 0);
          break;
        case 'fragment': {
          fragments++;
          assert.ok(event.offset > lastOffset, 'fragments in stream order');
          lastOffset = event.offset;
          assert.ok(event.cluster.length <= MAX_FRAGMENT);
          assert.ok(Number.isFinite(event.durationMs) && event.durationMs >= 0);
          assert.equal(event.tracks.length > 0, event.blockCount > 0);
          // The emitted cluster is well-formed enough for the reader to find it and its blocks.
          const again = readMatroska(bytesSource(event.cluster), { maxIssuesPerCode: 20 });
          assert.equal(again.clusters.length, 1);
          assert.equal(again.clusters[0]?.blockCount, event.blockCount);
          break;
        }
        case 'header':
          assert.ok(event.tracks.length >= 1 && event.tracks.length <= 3);
          break;
        case 'tags':
          break;
      }
    }
  }
  probe.done();
  assert.ok(fragments > 50 && errors > 50, `both outcomes are exercised (${fragments} fragments, ${errors} errors)`);
  return `${iteration} iterations, ${fragments} fragments, ${errors} errors`;
}

fuzzTest('mutation fuzz: never throws, never spins, bounded memory, nothing after a fatal error', __filename, putMediaFuzz, undefined);
