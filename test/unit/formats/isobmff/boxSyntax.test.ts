// Box fields under their ISO names with their offsets (boxSyntax, as `kvs-inspect --tree` lists them):
// each value is the one mp4box.js reads from the same box, each offset holds that value in the file, and
// the fields of a box cover its bytes with no gap and no overlap.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { bytesSource } from '../../../../src/formats/byteSource';
import { boxSpec, readBoxes } from '../../../../src/formats/isobmff';
import { readStructure, type StructureNode } from '../../../../src/formats/inspect/structure';
import { ascii, box, concat, fieldHoldsValue, fixture, fullBox, MEDIA, u16, u32 } from './helpers';

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
  pssh: { SystemID: 'system_id', KID: 'kid' },
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

function valuesOf(node: StructureNode | undefined, paths: readonly string[]): unknown[] {
  return paths.map((path) => node?.fields?.find((f) => f.path === path)?.value);
}

function* walk(nodes: readonly StructureNode[], parent?: StructureNode): Generator<[StructureNode, StructureNode | undefined]> {
  for (const node of nodes) {
    yield [node, parent];
    yield* walk(node.children ?? [], node);
  }
}

/**
 * Checks every box field of a file: it holds the value its bytes hold, the fields of each box cover its
 * bytes, and where mp4box.js reads the same field, the same value. Returns how many values mp4box.js judged.
 */
function checkFieldsAgainstMp4box(bytes: Uint8Array): number {
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
  return compared;
}

for (const name of FILES) {
  test(`${name}: box fields hold the values mp4box.js reads, at their offsets, covering every byte of each box`, () => {
    const compared = checkFieldsAgainstMp4box(fixture(name));
    assert.ok(compared > 40, `${compared} field values compared with mp4box.js`);
  });
}

const KEY = '00112233445566778899aabbccddeeff';

test('common encryption boxes of ffmpeg-encrypted MP4s (tenc, senc, saiz, saio): fields hold mp4box.js\'s values, and each sample\'s clear and protected bytes add up to the size ffprobe gives it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvi-cenc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const layout of [['-movflags', 'frag_keyframe+empty_moov+default_base_moof'], []]) {
    const file = join(dir, `cenc${layout.length}.mp4`);
    execFileSync('ffmpeg', ['-v', 'error', '-i', join(MEDIA, 'h264-aac.mp4'), '-c', 'copy', '-encryption_scheme', 'cenc-aes-ctr', '-encryption_key', KEY, '-encryption_kid', KEY, ...layout, file]);
    const bytes = new Uint8Array(readFileSync(file));
    assert.ok(checkFieldsAgainstMp4box(bytes) > 40);

    const types = new Set<string>();
    const video: number[] = [];
    for (const [node] of walk(readStructure(bytesSource(bytes)))) {
      types.add(node.type);
      if (node.type === 'tenc') assert.deepEqual(valuesOf(node, ['default_isProtected', 'default_Per_Sample_IV_Size', 'default_KID']), [1, 8, KEY]);
      // ffmpeg encrypts video in subsamples (the NAL headers left clear), audio whole.
      if (node.type !== 'senc' || !node.fields?.some((f) => f.path.startsWith('subsample_count'))) continue;
      const count = Number(valuesOf(node, ['sample_count'])[0]);
      for (let i = 0; i < count; i++) {
        const bytesOf = (name: string): number => (node.fields ?? []).filter((f) => f.path.startsWith(`${name}[${i}]`)).reduce((sum, f) => sum + Number(f.value), 0);
        video.push(bytesOf('BytesOfClearData') + bytesOf('BytesOfProtectedData'));
      }
    }
    for (const type of ['tenc', 'senc', 'saiz', 'saio']) assert.ok(types.has(type), `${file} has a ${type}`);
    // ffmpeg's fragmented output keeps its (empty) senc in the moov, and ffprobe cannot read it back.
    if (layout.length > 0) continue;
    const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=size', '-of', 'json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const sizes = (JSON.parse(probe) as { packets: { size: string }[] }).packets.map((p) => Number(p.size));
    assert.equal(sizes.length, 50);
    assert.deepEqual(video, sizes, `${file}: subsample bytes against ffprobe's packet sizes`);
  }
});

test('hand-made common encryption boxes (pssh v0 and v1, tenc with a pattern and a constant IV, saiz with its aux_info_type, 64-bit saio, senc with 16-byte IVs): mp4box.js reads the same values, and a senc no IV size fits is one error, read at once', () => {
  const kid2 = 'ffeeddccbbaa99887766554433221100';
  const hexBytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
  const iv = (n: number): Uint8Array => new Uint8Array(16).fill(n);
  const boxes = concat(
    box('ftyp', ascii('isom'), u32(0)),
    fullBox('pssh', 1, 0, hexBytes('1077efecc0b24d02ace33c1e52e2fb4b'), u32(2), hexBytes(KEY), hexBytes(kid2), u32(3), new Uint8Array([1, 2, 3])),
    fullBox('pssh', 0, 0, hexBytes('edef8ba979d64acea3c827dcd51d21ed'), u32(0)),
    fullBox('tenc', 1, 0, new Uint8Array([0, 0x19, 1, 0]), hexBytes(KEY), new Uint8Array([16]), iv(7)),
    fullBox('saiz', 0, 1, ascii('cbcs'), u32(5), new Uint8Array([0]), u32(3), new Uint8Array([16, 24, 30])),
    fullBox('saio', 1, 0, u32(2), u32(1), u32(16), u32(0), u32(40)),
    fullBox('senc', 0, 2, u32(3), iv(1), u16(0), iv(2), u16(1), u16(5), u32(100), iv(3), u16(2), u16(1), u32(2), u16(3), u32(4)),
  );
  assert.ok(checkFieldsAgainstMp4box(boxes) >= 20);
  const nodes = readStructure(bytesSource(boxes));
  const byType = (type: string): StructureNode[] => nodes.filter((n) => n.type === type);
  assert.deepEqual(valuesOf(byType('pssh')[0], ['KID_count', 'KID[0]', 'KID[1]', 'DataSize', 'Data']), [2, KEY, kid2, 3, '010203']);
  assert.deepEqual(valuesOf(byType('tenc')[0], ['default_crypt_byte_block', 'default_skip_byte_block', 'default_constant_IV_size', 'default_constant_IV']), [1, 9, 16, '07'.repeat(16)]);
  assert.deepEqual(valuesOf(byType('saio')[0], ['offset[0]', 'offset[1]']), [2 ** 32 + 16, 40]);
  assert.deepEqual(valuesOf(byType('senc')[0], ['InitializationVector[2]', 'subsample_count[2]', 'BytesOfClearData[2][1]', 'BytesOfProtectedData[2][1]']), ['03'.repeat(16), 2, 3, 4]);

  // 2^32 - 1 samples declared in 5 bytes: no IV size fits; a count as large is not walked entry by entry.
  for (const flags of [0, 2]) {
    const tree = readBoxes(bytesSource(fullBox('senc', 0, flags, u32(0xffffffff), new Uint8Array(5))));
    assert.deepEqual(tree.issues.map((i) => [i.code, i.offset]), [['SENC_INVALID', 16]]);
    assert.match(tree.issues[0]?.message ?? '', /4294967295 sample entries fill its 5 bytes/);
  }
});

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
