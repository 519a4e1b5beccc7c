// The container structure `kvs-inspect --tree` lists: Matroska elements and block headers judged by
// mkvinfo, MPEG-TS packet fields judged by ffprobe and by the bytes at their offsets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { inspect } from '../../../src/formats/inspect/inspect';
import { writeJsonReport, type JsonReport } from '../../../src/formats/inspect/jsonReport';
import { jsonText } from '../../../src/formats/inspect/jsonText';
import { readStructure, walkStructure, type StructureNode } from '../../../src/formats/inspect/structure';
import { fieldHoldsValue, ffprobe, fixture, integerAt, MEDIA } from '../formats/isobmff/helpers';
import { hasMkvinfo, mkvinfo } from '../formats/matroska/mkvinfoDump';
import { hasTsreport, tsreport, type TsreportPacket } from '../formats/mpegts/tsreport';
import { FIXTURES, kvsInspect } from './cli';

function* walk(nodes: readonly StructureNode[]): Generator<StructureNode> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.children ?? []);
  }
}

const CRC_32 = '0xBF';

for (const name of ['h264-aac.mkv', 'h264-main-bframes.mkv', 'h264-alaw.mkv']) {
  test(`${name}: every element mkvinfo lists, at its offset with its size, and each SimpleBlock's header as mkvinfo reads it`, { skip: !hasMkvinfo && 'mkvinfo not installed' }, () => {
    const dump = mkvinfo(join(MEDIA, name));
    const nodes = readStructure(bytesSource(fixture(name)));
    const ours = [...walk(nodes)].filter((node) => node.type !== CRC_32);
    assert.deepEqual(ours.map((node) => [node.offset, node.size]), dump.elements.map((element) => [element.offset, element.size]));

    const scale = dump.timestampScale ?? 1_000_000;
    const blocks = new Map(dump.blocks.map((block) => [block.offset, block]));
    let checked = 0;
    for (const cluster of ours.filter((node) => node.name === 'Cluster')) {
      const clusterTime = Number(cluster.children?.find((child) => child.name === 'Timestamp')?.value);
      for (const block of cluster.children?.filter((child) => child.name === 'SimpleBlock') ?? []) {
        const field = (path: string) => block.fields?.find((f) => f.path === path)?.value;
        const theirs = blocks.get(block.offset);
        assert.ok(theirs, `mkvinfo lists the SimpleBlock at ${block.offset}`);
        assert.equal(field('Track Number'), theirs.track);
        assert.equal((clusterTime + Number(field('Timestamp'))) * scale, theirs.timestampNs);
        assert.equal(field('Keyframe') === 1, theirs.key, `Keyframe of the block at ${block.offset}`);
        for (const f of block.fields ?? []) assert.ok(fieldHoldsValue(fixture(name), block.offset + block.headerSize, f), `${f.path} at ${f.byteOffset}`);
        checked++;
      }
    }
    assert.equal(checked, dump.blocks.filter((block) => !block.inGroup).length);
  });
}

interface ProbePrograms {
  programs: { program_num: number; pmt_pid: number; pcr_pid: number; streams: { id: string; codec_tag: string }[] }[];
}

for (const name of ['h264-aac.ts', 'h265-main.ts', 'audio-mp2-ac3-latm.ts']) {
  test(`${name}: the packets that start a PES or a section, their fields at their offsets, as ffprobe reads them`, () => {
    const bytes = fixture(name);
    const nodes = readStructure(bytesSource(bytes));
    for (const node of nodes) {
      assert.equal(node.size, 188);
      let bit = 0;
      for (const field of node.fields ?? []) {
        assert.ok(fieldHoldsValue(bytes, node.offset, field), `${node.offset}: ${field.path} = ${field.value} is not what bytes ${field.byteOffset}+${field.byteLength} hold`);
        assert.equal(field.bitOffset, bit, `${node.offset}: ${field.path} follows the field before it`);
        bit += field.bitLength;
      }
      assert.equal(bit, 188 * 8, `the fields of the packet at ${node.offset} cover it`);
    }

    // Every PES ffprobe reads starts in a packet we list, with the PTS it reads.
    const value = (node: StructureNode, path: string) => node.fields?.find((field) => field.path === path)?.value;
    const pes = new Map(nodes.filter((node) => node.type === 'PES').map((node) => [node.offset, node]));
    // ffprobe gives no pos to the packets it splits out of a PES after the first (ADTS, LATM frames).
    const packets = ffprobe(join(MEDIA, name)).packets.filter((packet) => packet.pos !== undefined);
    assert.ok(packets.length > 0);
    for (const packet of packets) {
      const node = pes.get(Number(packet.pos));
      assert.ok(node, `a PES starts at ${packet.pos}`);
      const pts = Number(value(node, 'PES_packet.PTS [32..30]')) * 2 ** 30 + Number(value(node, 'PES_packet.PTS [29..15]')) * 2 ** 15 + Number(value(node, 'PES_packet.PTS [14..0]'));
      assert.equal(pts, packet.pts, `PTS of the PES at ${packet.pos}`);
    }

    // The PMT's program, PCR PID and streams are those ffprobe lists.
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_programs', '-of', 'json', join(MEDIA, name)], { encoding: 'utf8' })) as ProbePrograms;
    const pmt = nodes.find((node) => node.type === 'PMT');
    assert.ok(pmt);
    const program = probe.programs.find((p) => p.pmt_pid === value(pmt, 'PID'));
    assert.ok(program, 'ffprobe lists the program of the PMT');
    assert.equal(value(pmt, 'TS_program_map_section.program_number'), program.program_num);
    assert.equal(value(pmt, 'TS_program_map_section.PCR_PID'), program.pcr_pid);
    // ffprobe's codec_tag is the stream_type, or the registration descriptor's format_identifier ('HEVC').
    const streamType = (tag: number) => (tag < 0x100 ? tag : 'registered');
    const streams = program.streams.map((stream) => [Number(stream.id), streamType(Number(stream.codec_tag))]).sort((a, b) => Number(a[0]) - Number(b[0]));
    const ours = program.streams.map((stream, i) => [
      value(pmt, `TS_program_map_section.stream[${i}].elementary_PID`),
      Number(stream.codec_tag) < 0x100 ? value(pmt, `TS_program_map_section.stream[${i}].stream_type`) : 'registered',
    ]).sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(ours, streams);
  });
}

/** Named one-bit (or wider) fields put back together MSB first into the byte they share. */
function packed(values: ReadonlyMap<string, number | string>, parts: readonly (readonly [string, number])[]): number {
  return parts.reduce((byte, [path, bits]) => byte * 2 ** bits + Number(values.get(path)), 0);
}

const ADAPTATION_FLAGS = ['discontinuity_indicator', 'random_access_indicator', 'elementary_stream_priority_indicator', 'PCR_flag', 'OPCR_flag', 'splicing_point_flag', 'transport_private_data_flag', 'adaptation_field_extension_flag'].map((name) => [`adaptation_field.${name}`, 1] as const);
const PES_FLAGS_1 = [["'10'", 2], ['PES_scrambling_control', 2], ['PES_priority', 1], ['data_alignment_indicator', 1], ['copyright', 1], ['original_or_copy', 1]].map(([name, bits]) => [`PES_packet.${name}`, Number(bits)] as const);
const PES_FLAGS_2 = [['PTS_DTS_flags', 2], ['ESCR_flag', 1], ['ES_rate_flag', 1], ['DSM_trick_mode_flag', 1], ['additional_copy_info_flag', 1], ['PES_CRC_flag', 1], ['PES_extension_flag', 1]].map(([name, bits]) => [`PES_packet.${name}`, Number(bits)] as const);

/** What tsreport prints of a packet, from our fields by their names. */
function asTsreportWould(node: StructureNode): Omit<TsreportPacket, 'kind'> {
  const values = new Map<string, number | string>();
  for (const field of node.fields ?? []) if (!values.has(field.path)) values.set(field.path, field.value);
  const get = (path: string) => values.get(path) as number | undefined;
  const timestamp = (name: string) => values.has(`PES_packet.${name} [32..30]`) ? packed(values, [[`PES_packet.${name} [32..30]`, 3], [`PES_packet.${name} [29..15]`, 15], [`PES_packet.${name} [14..0]`, 15]]) : undefined;
  const section = node.type === 'PAT' ? 'program_association_section.' : 'TS_program_map_section.';
  const indexed = (pattern: RegExp) => [...values.keys()].filter((path) => pattern.test(path));
  const out: Omit<TsreportPacket, 'kind'> = {
    offset: node.offset, pid: Number(get('PID')), unitStart: get('payload_unit_start_indicator') === 1,
    adaptationLength: get('adaptation_field_length'),
    adaptationFlags: values.has('adaptation_field.PCR_flag') ? packed(values, ADAPTATION_FLAGS) : undefined,
    pcr: values.has('adaptation_field.program_clock_reference_base') ? Number(get('adaptation_field.program_clock_reference_base')) * 300 + Number(get('adaptation_field.program_clock_reference_extension')) : undefined,
    streamId: get('PES_packet.stream_id'), pesPacketLength: get('PES_packet.PES_packet_length'),
    pesFlags: values.has('PES_packet.PTS_DTS_flags') ? [packed(values, PES_FLAGS_1), packed(values, PES_FLAGS_2)] : undefined,
    pesHeaderLength: get('PES_packet.PES_header_data_length'), pts: timestamp('PTS'), dts: timestamp('DTS'),
  };
  if (node.type === 'PAT' || node.type === 'PMT') {
    out.sectionLength = get(`${section}section_length`);
    out.version = [Number(get(`${section}version_number`)), Number(get(`${section}current_next_indicator`)), Number(get(`${section}section_number`)), Number(get(`${section}last_section_number`))];
  }
  if (node.type === 'PAT') {
    out.transportStreamId = get(`${section}transport_stream_id`);
    out.programs = indexed(/^program_association_section\.program\[\d+\]\.program_number$/).map((path) => [Number(values.get(path)), Number(values.get(path.replace('program_number', 'program_map_PID')))]);
  }
  if (node.type === 'PMT') {
    out.programNumber = get(`${section}program_number`);
    out.pcrPid = get(`${section}PCR_PID`);
    out.programInfoLength = get(`${section}program_info_length`);
    out.streams = indexed(/^TS_program_map_section\.stream\[\d+\]\.elementary_PID$/).map((path) => [Number(values.get(path)), Number(values.get(path.replace('elementary_PID', 'stream_type')))]);
  }
  return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined)) as Omit<TsreportPacket, 'kind'>;
}

for (const name of ['h264-aac.ts', 'h265-main.ts', 'audio-mp2-ac3-latm.ts']) {
  test(`${name}: each field by its ISO/IEC 13818-1 name holds what tsreport (tstools) reads there`, { skip: !hasTsreport && 'tsreport (tstools) not installed' }, () => {
    const theirs = tsreport(join(MEDIA, name));
    const nodes = readStructure(bytesSource(fixture(name))).filter((node) => node.type !== 'section');
    assert.ok(nodes.some((node) => node.type === 'PES') && nodes.some((node) => node.type === 'PMT'));
    for (const node of nodes) {
      const their = theirs.get(node.offset);
      assert.ok(their, `tsreport lists the packet at ${node.offset}`);
      assert.equal(their.kind, node.type === 'PES' ? 'other' : node.type);
      const { kind: _, ...expected } = their;
      assert.deepEqual(asTsreportWould(node), expected, `the packet at ${node.offset}`);
    }
  });
}

test('packet fields stop at the end of a cut packet and of a section that runs past it', () => {
  const bytes = fixture('h264-aac.ts').slice(0, 188 * 3 + 100);
  // The PMT (third packet) declares a section far longer than the packet.
  bytes[376 + 6] = 0xb3;
  bytes[376 + 7] = 0xff;
  const nodes = readStructure(bytesSource(bytes));
  assert.deepEqual(nodes.map((node) => node.type), ['section', 'PAT', 'PMT', 'PES']);
  const pmt = nodes[2]?.fields ?? [];
  assert.equal(pmt.find((field) => field.path === 'TS_program_map_section.section_length')?.value, 0x3ff);
  assert.ok(!pmt.some((field) => field.path.endsWith('CRC_32')), 'no CRC where the section is cut');
  const last = nodes[3];
  assert.equal(last?.size, 100);
  const end = last?.fields?.at(-1);
  assert.equal((end?.byteOffset ?? 0) + (end?.byteLength ?? 0), bytes.length);
});

test('an MP4 cut at each byte of its esds: every field of the structure lies inside the cut file', () => {
  const whole = fixture('h264-aac.mp4');
  const esds = [...walk(readStructure(bytesSource(whole)))].find((node) => node.type === 'esds');
  assert.ok(esds, 'the fixture has an esds');
  let cutInSizeField = 0;
  for (let end = esds.offset + 12; end < esds.offset + esds.size; end++) {
    const bytes = whole.subarray(0, end);
    for (const node of walk(readStructure(bytesSource(bytes)))) {
      for (const field of node.fields ?? []) {
        assert.ok(field.byteOffset + field.byteLength <= end, `cut at ${end}: ${field.path} at ${field.byteOffset}+${field.byteLength}`);
      }
    }
    const report = inspect(bytesSource(bytes));
    if (report.issues.some((issue) => issue.message.endsWith('is cut short in its size field'))) cutInSizeField++;
  }
  // ffmpeg writes each descriptor's size in four bytes: three cuts inside each of the four descriptors'
  assert.equal(cutInSizeField, 12);
});

for (const name of ['h264-aac-frag.mp4', 'h264-he-aac.mkv', 'h264-aac.ts']) {
  test(`${name}: the structure written node by node is the tree, laid out as jsonText lays it out`, () => {
    const source = bytesSource(fixture(name));
    const tree = readStructure(source);
    let written = '';
    writeJsonReport(inspect(source), false, (text) => (written += text), (visit) => walkStructure(source, visit));
    const whole = `  "structure": ${jsonText(tree, '  ')}`;
    assert.ok(written.includes(whole), 'the same text as the tree written at once');
    assert.deepEqual((JSON.parse(written) as JsonReport).structure, tree);
  });
}

test('kvs-inspect --tree: the structure in the JSON document and under "Structure" in the text', () => {
  const json = kvsInspect(['--json', '--tree', `${FIXTURES}/h264-aac-frag.mp4`]);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as JsonReport;
  const moov = report.structure?.find((node) => node.type === 'moov');
  const mvhd = moov?.children?.find((node) => node.type === 'mvhd');
  assert.deepEqual(mvhd?.fields?.find((field) => field.path === 'timescale'), { path: 'timescale', value: 1000, descriptor: 'unsigned int(32)', bitOffset: 160, bitLength: 32, byteOffset: 56, byteLength: 4 });
  assert.equal(kvsInspect(['--json', `${FIXTURES}/h264-aac-frag.mp4`]).stdout.includes('"structure"'), false, 'no structure without --tree');
  // boxes read as leaves keep the specification's names; the text leaves out a name it does not know
  assert.deepEqual(
    report.structure?.filter((node) => ['mdat', 'mfra'].includes(node.type)).map((node) => [node.type, node.name, node.children?.map((child) => child.name)]),
    [['mdat', 'MediaDataBox', undefined], ['mdat', 'MediaDataBox', undefined], ['mfra', 'MovieFragmentRandomAccessBox', ['TrackFragmentRandomAccessBox', 'TrackFragmentRandomAccessBox', 'MovieFragmentRandomAccessOffsetBox']]],
  );
  const mov = kvsInspect(['--tree', `${FIXTURES}/h264-alaw.mov`]);
  assert.equal(mov.status, 0, mov.stderr);
  assert.match(mov.stdout, /^ +\d+ alaw AudioSampleEntry, 60 bytes$/m, 'a sample entry decoded by its track\'s kind is named by it');
  assert.match(mov.stdout, /^ +\d+ chan, \d+ bytes$/m);

  const text = kvsInspect(['--tree', `${FIXTURES}/h264-aac.mkv`]);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.split('\n');
  const at = lines.indexOf('Structure');
  assert.ok(at > 0);
  assert.equal(lines[at + 1], '  0 0x1A45DFA3 EBML, 40 bytes');
  assert.ok(lines.includes('          740 Track Number = 2'), 'a SimpleBlock header field, under its block');
});

test('--tree text shows control characters as \\xNN: the zero type of the terminator atom in a QuickTime wave atom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-mov-'));
  try {
    const file = join(dir, 'aac.mov');
    execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mp4`, '-c', 'copy', '-f', 'mov', file]);
    const result = kvsInspect(['--tree', file]);
    assert.equal(result.status, 0, result.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(result.stdout, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.match(result.stdout, / atom\[\d\]\.type = \\x00\\x00\\x00\\x00\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kvs-inspect --tree: 64-bit fields beyond 2^53 exact, as decimal strings (the all-ones durations of ffmpeg\'s ismv muxer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ismv-'));
  try {
    const file = join(dir, 'smooth.ismv');
    execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mp4`, '-c', 'copy', '-f', 'ismv', file]);
    const bytes = new Uint8Array(readFileSync(file));
    const result = kvsInspect(['--json', '--tree', file]);
    assert.equal(result.status, 0, result.stderr);
    const structure = (JSON.parse(result.stdout) as JsonReport).structure ?? [];
    const wide = [...walk(structure)].flatMap((node) => (node.fields ?? []).filter((field) => field.bitLength === 64 && /int\(64\)$/.test(field.descriptor)));
    for (const field of wide) {
      const coded = integerAt(bytes, field.byteOffset * 8, 64, field.descriptor);
      assert.equal(field.value, coded >= -BigInt(Number.MAX_SAFE_INTEGER) && coded <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(coded) : coded.toString(), `${field.path} at byte ${field.byteOffset}`);
    }
    const durations = wide.filter((field) => field.path === 'duration').map((field) => field.value);
    assert.deepEqual(durations, ['18446744073709551615', '18446744073709551615', '18446744073709551615', '18446744073709551615'], 'tkhd and mdhd of both tracks');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
