// Mutation fuzzing of the whole inspector (container reader, codec decoding, checks, the --tree
// structure, JSON and text output): no input throws or hangs. Deterministic seed; bounded by iterations and wall time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../support/fuzz';
import type { ContainerField } from '../../../src/formats/bits/syntax';
import { bytesSource } from '../../../src/formats/byteSource';
import { inspect } from '../../../src/formats/inspect/inspect';
import { stringifyReport, toJsonReport, writeJsonReport } from '../../../src/formats/inspect/jsonReport';
import { readStructure, walkStructure, type StructureNode, type StructureVisitor } from '../../../src/formats/inspect/structure';
import { formatReport, writeStructureText } from '../../../src/formats/inspect/textReport';
import { FIXTURES } from './cli';

const SEEDS = ['h264-aac.mkv', 'h265-main.mkv', 'h264-alaw.mkv', 'h264-aac-frag.mp4', 'h264-aac.mp4', 'h264-aac.ts', 'audio-mp2-ac3-latm.ts'];
const BUDGET_MS = 800;
const MIN_ITERATIONS = 25;
const MAX_ITERATIONS = 400;

/** xorshift32: the same mutations on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

function mutate(input: Uint8Array, next: () => number): Uint8Array {
  const bytes = new Uint8Array(input);
  const pick = next();
  const at = Math.floor(next() * bytes.length);
  if (pick < 0.5) {
    // Flip bytes near the start, where headers and codec private data are.
    const span = Math.min(bytes.length, 4096);
    for (let n = 1 + Math.floor(next() * 8); n > 0; n--) bytes[Math.floor(next() * span)] = Math.floor(next() * 256);
    return bytes;
  }
  if (pick < 0.7) return bytes.subarray(0, at);
  if (pick < 0.85) {
    bytes.fill(next() < 0.5 ? 0 : 0xff, at, at + 1 + Math.floor(next() * 16));
    return bytes;
  }
  const insert = new Uint8Array(1 + Math.floor(next() * 32)).map(() => Math.floor(next() * 256));
  const out = new Uint8Array(bytes.length + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at), at + insert.length);
  return out;
}

/** The --tree structure of the input, as a tree and as the CLI writes it: every field inside the input. */
function checkStructure(bytes: Uint8Array, name: string): void {
  const source = bytesSource(bytes);
  const walk = (visit: StructureVisitor) => walkStructure(source, visit);
  let json = '';
  writeJsonReport(inspect(source, { checks: false }), false, (text) => (json += text), walk);
  JSON.parse(json);
  writeStructureText(walk, () => undefined);
  const nodes = readStructure(source);
  for (const field of structureFields(nodes)) {
    assert.ok(field.byteOffset >= 0 && field.byteOffset + field.byteLength <= bytes.length, `${name}: ${field.path} at ${field.byteOffset}+${field.byteLength} outside ${bytes.length}`);
  }
}

function* structureFields(nodes: readonly StructureNode[]): Generator<ContainerField> {
  for (const node of nodes) {
    yield* node.fields ?? [];
    yield* structureFields(node.children ?? []);
  }
}

export function inspectFuzz(probe: FuzzProbe, seedIndex: number): string {
  const name = SEEDS[seedIndex] ?? '';
  const input = new Uint8Array(readFileSync(`${FIXTURES}/${name}`));
  const next = random(0x9e3779b9 + seedIndex);
  const more = fuzzRunsLeft(MIN_ITERATIONS, MAX_ITERATIONS, BUDGET_MS);
  let runs = 0;
  for (; more(runs); runs++) {
    const bytes = mutate(input, next);
    probe.input(`${name} run ${runs}`, bytes);
    const report = inspect(bytesSource(bytes), { nowMs: 0, frameNals: runs % 2 === 1 });
    stringifyReport(toJsonReport(report, true));
    formatReport(report, { name, frames: true });
    for (const found of report.issues) assert.ok(found.offset >= 0 && found.offset <= bytes.length, `${found.code} offset ${found.offset} outside ${bytes.length}`);
    if (runs % 2 === 0) checkStructure(bytes, name);
  }
  probe.done();
  return `${name}: ${runs} mutated inputs`;
}

for (const [seedIndex, name] of SEEDS.entries()) fuzzTest(`mutated ${name} never makes the inspector throw`, __filename, inspectFuzz, seedIndex);
