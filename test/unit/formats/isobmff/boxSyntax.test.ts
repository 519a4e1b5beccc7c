// Box fields under their ISO names with their offsets (boxSyntax, as `kvs-inspect --tree` lists them):
// each value is the one mp4box.js reads from the same box, each offset holds that value in the file, and
// the fields of a box cover its bytes with no gap and no overlap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { bytesSource } from '../../../../src/formats/byteSource';
import { boxSpec } from '../../../../src/formats/isobmff';
import { readStructure, type StructureNode } from '../../../../src/formats/inspect/structure';
import { ascii, box, concat, fieldHoldsValue, fixture, fullBox, u32 } from './helpers';

const FILES = [
  'h264-aac.mp4', 'h264-aac-frag.mp4', 'h265-main-frag.mp4', 'h264-he-aac-implicit.mp4', 'h264-alaw.mov', 'h264-mulaw.mov',
  'h264-aac-dash/init-0.mp4', 'h264-aac-dash/seg-0-1.m4s',
];

type Mp4BoxBox = Record<string, unknown> & { start: number; type: string; boxes?: Mp4BoxBox[]; entries?: Mp4BoxBox[] };

/** Every box mp4box.js parsed, by offset. */
function mp4boxBoxes(bytes: Uint8Array): Map<number, Mp4BoxBox> {
  const file = createFile(true);
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  const byOffset = new Map<number, Mp4BoxBox>();
  const visit = (boxes: readonly Mp4BoxBox[] | undefined): void => {
    for (const box of boxes ?? []) {
      byOffset.set(box.start, box);
      visit(box.boxes);
      visit(box.entries);
    }
  };
  visit((file as unknown as { boxes: Mp4BoxBox[] }).boxes);
  return byOffset;
}

/** Where mp4box.js keeps a field under another name, by box type and our (ISO) name. */
const MP4BOX_NAMES: Record<string, Record<string, string>> = {
  '*': { handler_type: 'handler', channelcount: 'channel_count' },
  stts: { sample_count: 'sample_counts', sample_delta: 'sample_deltas' },
  ctts: { sample_count: 'sample_counts', sample_offset: 'sample_offsets' },
  stsz: { entry_size: 'sample_sizes' },
  stco: { chunk_offset: 'chunk_offsets' },
  co64: { chunk_offset: 'chunk_offsets' },
  stss: { sample_number: 'sample_numbers' },
};

/** Values mp4box.js gives decoded: our value (as coded) converted the same way. */
const MP4BOX_DECODED: Record<string, (coded: number) => number> = {
  volume: (coded) => coded / 256,
  samplerate: (coded) => coded / 65536,
};

/** The value mp4box.js read for one of our fields, or undefined when it keeps none under any name we know. */
function theirValue(box: Mp4BoxBox, type: string, path: string): unknown {
  const match = /^([A-Za-z_]+)(?:\[(\d+)\])?$/.exec(path);
  if (!match) return undefined;
  const [, name = '', index] = match;
  const key = MP4BOX_NAMES[type]?.[name] ?? MP4BOX_NAMES['*']?.[name] ?? Object.keys(box).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined || !(key in box)) return undefined;
  const value = box[key];
  if (index === undefined) return value;
  return (value as Record<string, unknown> | undefined)?.[index];
}

function* walk(nodes: readonly StructureNode[], parent?: StructureNode): Generator<[StructureNode, StructureNode | undefined]> {
  for (const node of nodes) {
    yield [node, parent];
    yield* walk(node.children ?? [], node);
  }
}

for (const name of FILES) {
  test(`${name}: box fields hold the values mp4box.js reads, at their offsets, covering every byte of each box`, () => {
    const bytes = fixture(name);
    const theirs = mp4boxBoxes(bytes);
    const nodes = readStructure(bytesSource(bytes));
    assert.ok(nodes.length > 0);
    let compared = 0;
    for (const [node, parent] of walk(nodes)) {
      const fields = node.fields ?? [];
      for (const field of fields) {
        assert.ok(fieldHoldsValue(bytes, node.offset, field), `${node.type} ${field.path} = ${field.value} is not what bytes ${field.byteOffset}+${field.byteLength} hold`);
        assert.equal(field.byteOffset, node.offset + Math.floor(field.bitOffset / 8), `${node.type} ${field.path}: byteOffset and bitOffset agree`);
      }
      // Every byte of the box up to its first child (or its end) is in exactly one field.
      const spec = boxSpec(node.type, parent?.type, undefined);
      const covered = node.children?.[0] ? node.children[0].offset - node.offset : spec?.parse || !spec ? node.size : node.headerSize;
      let bit = 0;
      for (const field of [...fields].sort((a, b) => a.bitOffset - b.bitOffset)) {
        assert.equal(field.bitOffset, bit, `${node.type} at ${node.offset}: ${field.path} starts at bit ${field.bitOffset}, the fields before end at ${bit}`);
        bit += field.bitLength;
      }
      if (spec || node.children) assert.equal(bit, covered * 8, `${node.type} at ${node.offset}: fields cover ${bit / 8} of ${covered} bytes`);
      else assert.equal(bit, node.headerSize * 8, `${node.type}: an unregistered box lists its header`);

      const box = theirs.get(node.offset);
      if (!box) continue;
      for (const field of fields) {
        const their = theirValue(box, node.type, field.path);
        if (their === undefined || typeof their === 'object' || field.path === 'size' || field.path === 'type' || field.path.startsWith('reserved')) continue;
        const ours = typeof field.value === 'number' && MP4BOX_DECODED[field.path] && their !== field.value ? MP4BOX_DECODED[field.path]?.(field.value) : field.value;
        assert.equal(ours, their, `${node.type} at ${node.offset}: ${field.path}`);
        compared++;
      }
    }
    assert.ok(compared > 40, `${compared} field values compared with mp4box.js`);
  });
}

test('the fields of a trun and a tfhd are those its flags ask for, in order, each entry by index', () => {
  const nodes = readStructure(bytesSource(fixture('h264-aac-frag.mp4')));
  const moof = nodes.find((node) => node.type === 'moof');
  const traf = moof?.children?.find((node) => node.type === 'traf');
  const paths = (type: string) => traf?.children?.find((node) => node.type === type)?.fields?.map((field) => field.path);
  assert.deepEqual(paths('tfhd'), ['size', 'type', 'version', 'flags', 'track_ID', 'default_sample_duration', 'default_sample_size', 'default_sample_flags']);
  // tr_flags 0x305: data_offset, first_sample_flags, sample_duration and sample_size per sample.
  assert.deepEqual(paths('trun')?.slice(0, 10), ['size', 'type', 'version', 'flags', 'sample_count', 'data_offset', 'first_sample_flags', 'sample_duration[0]', 'sample_size[0]', 'sample_duration[1]']);
});

test('64-bit fields beyond 2^53 are recorded exactly, as decimal strings: unsigned, signed and in tables', () => {
  const ones = concat(u32(0xffffffff), u32(0xffffffff));
  const elst = fullBox('elst', 1, 0, u32(1), ones, u32(0x80000000), u32(1), u32(0x10000));
  const co64 = fullBox('co64', 0, 0, u32(2), u32(0x00200000), u32(1), u32(0), u32(7));
  const bytes = concat(box('ftyp', ascii('isom'), u32(0)), elst, co64);
  const nodes = readStructure(bytesSource(bytes)).slice(1);
  const values = nodes.map((node) => Object.fromEntries((node.fields ?? []).filter((field) => field.bitLength === 64).map((field) => [field.path, field.value])));
  assert.deepEqual(values, [
    { 'segment_duration[0]': (2n ** 64n - 1n).toString(), 'media_time[0]': (-(2n ** 63n) + 1n).toString() },
    { 'chunk_offset[0]': (2n ** 53n + 1n).toString(), 'chunk_offset[1]': 7 },
  ]);
  for (const node of nodes) for (const field of node.fields ?? []) assert.ok(fieldHoldsValue(bytes, node.offset, field), `${node.type} ${field.path}`);
});
