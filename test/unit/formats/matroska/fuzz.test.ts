// Mutation fuzzing with a fixed seed, bounded in iterations and in wall time: whatever the bytes, the
// readers return, and what they return points inside the input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readChildren, readTree } from '../../../../src/formats/ebml/tree';
import type { EbmlNode } from '../../../../src/formats/ebml/tree';
import { readBlockFrames } from '../../../../src/formats/matroska/blockFrames';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import { concat, idBytes, unknownSize } from '../ebml/ebmlBytes';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { prng } from '../../../support/random';

const MAX_ITERATIONS = 3000;
const MAX_MILLISECONDS = 2500;

const fixture = new Uint8Array(readFileSync(join(import.meta.dirname, '../../../fixtures/media/h264-aac.mkv')));

/** The fixture as a KVS producer would send it: unknown-size Segment (8-byte form) and Clusters. */
function unknownSizeVariant(): Uint8Array {
  const top = readTree(bytesSource(fixture), matroskaSchema(), { expand: (e) => e.name !== 'Cluster' }).nodes;
  const parts: Uint8Array[] = [fixture.subarray(top[0]?.offset ?? 0, top[0]?.end ?? 0), Uint8Array.from([...idBytes(Id.Segment), ...unknownSize(8)])];
  for (const child of top[1]?.children ?? []) {
    if (child.name === 'Cluster') parts.push(Uint8Array.from([...idBytes(Id.Cluster), ...unknownSize(1)]));
    else parts.push(fixture.subarray(child.offset, child.offset + child.headerSize));
    parts.push(fixture.subarray(child.offset + child.headerSize, child.end));
  }
  return concat(...parts);
}

function headerOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const visit = (nodes: readonly EbmlNode[] | undefined): void => {
    for (const node of nodes ?? []) {
      offsets.push(node.offset);
      visit(node.children);
    }
  };
  visit(readTree(bytesSource(bytes), matroskaSchema()).nodes);
  return offsets;
}

function mutate(input: Uint8Array, hotSpots: readonly number[], next: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(next() * n);
  // Half of the mutations hit element headers, where damage matters most.
  const at = next() < 0.5 ? Math.min(input.length - 1, (hotSpots[pick(hotSpots.length)] ?? 0) + pick(12)) : pick(input.length);
  const bytes = input.slice();
  switch (pick(6)) {
    case 0: // flip bits in a few bytes
      for (let i = 0, n = 1 + pick(4); i < n; i++) {
        const where = Math.min(bytes.length - 1, at + pick(8));
        bytes[where] = (bytes[where] ?? 0) ^ (1 << pick(8));
      }
      return bytes;
    case 1: // random bytes
      for (let i = 0, n = 1 + pick(8); i < n; i++) bytes[Math.min(bytes.length - 1, at + i)] = pick(256);
      return bytes;
    case 2: // 0x00 / 0xFF runs (invalid VINTs, unknown sizes)
      bytes.fill(next() < 0.5 ? 0 : 0xff, at, at + 1 + pick(8));
      return bytes;
    case 3: // truncate
      return bytes.subarray(0, at);
    case 4: // insert random bytes
      return concat(bytes.subarray(0, at), Uint8Array.from({ length: 1 + pick(16) }, () => pick(256)), bytes.subarray(at));
    default: // delete a range
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + pick(64))));
  }
}

function checkInvariants(bytes: Uint8Array): void {
  const source = bytesSource(bytes);
  const size = bytes.length;
  for (const blocks of [true, false]) {
    const mkv = readMatroska(source, { blocks });
    for (const i of mkv.issues) assert.ok(i.offset >= 0 && i.offset <= size, `issue offset ${i.offset}`);
    for (const c of mkv.clusters) assert.ok(c.offset >= 0 && c.end <= size && c.offset <= c.end);
    for (const f of mkv.fragments) assert.ok(f.end <= size);
    const table = mkv.blocks;
    for (let i = 0; i < table.count; i++) {
      const end = (table.payloadOffset[i] ?? 0) + (table.payloadSize[i] ?? 0);
      assert.ok(end <= size, `block ${i} payload ends at ${end} of ${size}`);
    }
    if (table.count > 0) readBlockFrames(source, table, table.count - 1);
    for (const segment of mkv.documents.flatMap((d) => d.segments)) {
      for (const track of segment.tracks) {
        if (track.codecPrivate) assert.ok(track.codecPrivate.offset + track.codecPrivate.size <= size);
      }
    }
  }
  const tree = readTree(source, matroskaSchema(), { expand: (e) => e.name !== 'Cluster' });
  const cluster = tree.nodes.flatMap((n) => n.children ?? []).find((n) => n.name === 'Cluster');
  if (cluster) readChildren(source, matroskaSchema(), cluster);
}

export function matroskaFuzz(probe: FuzzProbe): string {
  const inputs = [fixture, unknownSizeVariant()];
  const hotSpots = inputs.map(headerOffsets);
  const next = prng(0x4b5649);
  const started = performance.now();
  const more = fuzzRunsLeft(50, MAX_ITERATIONS, MAX_MILLISECONDS);
  let iterations = 0;
  while (more(iterations)) {
    const which = iterations % inputs.length;
    let bytes = inputs[which] ?? fixture;
    // Sometimes stack mutations.
    for (let i = 0, n = 1 + Math.floor(next() * 3); i < n; i++) bytes = mutate(bytes, hotSpots[which] ?? [], next);
    probe.input(`input ${which} iteration ${iterations}`, bytes);
    checkInvariants(bytes);
    iterations++;
  }
  probe.done();
  return `${iterations} mutated inputs in ${Math.round(performance.now() - started)} ms`;
}

fuzzTest('mutated MKV never makes the readers throw or point outside the input', __filename, matroskaFuzz, undefined);
