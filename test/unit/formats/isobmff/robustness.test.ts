// Bad bytes: truncation at many cut points, size 0 and size 1 (largesize) boxes, sizes past the end
// and smaller than a header, overflowing children, cut tables, deep nesting. Nothing throws; issues
// carry stable codes and the absolute offsets of the boxes at fault.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readBoxes, readIsoBmff, fieldsOf, findBoxes, type Box } from '../../../../src/formats/isobmff';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { ascii, box, concat, fixture, fullBox, u32 } from './helpers';

const codes = (issues: readonly { code: string }[]): string[] => issues.map((i) => i.code);

test('truncated files at many cut points: one truncation issue, at the innermost box holding the cut, naming the boxes around it, as mp4box.js places them', () => {
  for (const name of ['h264-aac.mp4', 'h264-aac-frag.mp4', 'h265-main-frag.mp4', 'h264-aac-dash/init-0.mp4', 'h264-aac-dash/seg-0-1.m4s']) {
    const bytes = fixture(name);
    const top = mp4boxTree(bytes);
    const step = Math.max(1, Math.floor(bytes.length / 400));
    for (let cut = 0; cut < bytes.length; cut += step) {
      const file = readIsoBmff(bytesSource(bytes.subarray(0, cut)));
      const holder = top.find((b) => cut > b.start && cut < b.start + b.size);
      if (!holder) {
        assert.deepEqual(file.issues.filter((i) => i.severity === 'error'), [], `${name} cut at a box boundary ${cut}`);
        continue;
      }
      const found = file.issues.filter((i) => i.code === 'BOX_TRUNCATED' || i.code === 'BOX_HEADER_TRUNCATED');
      assert.equal(found.length, 1, `${name} cut at ${cut}: ${JSON.stringify(file.issues)}`);
      // The boxes the cut falls in whose size and type are whole, outermost first.
      const chain = [holder];
      for (let inner = innerHolder(holder, cut); inner; inner = innerHolder(inner, cut)) chain.push(inner);
      const innermost = chain[chain.length - 1] ?? holder;
      assert.equal(found[0]?.offset, innermost.start, `${name} cut at ${cut}`);
      if (chain.length > 1) {
        const path = chain.slice(0, -1).map((b) => `'${b.type}' at offset ${b.start}`).join(' > ');
        assert.equal(found[0]?.message, `'${innermost.type}' at offset ${innermost.start} declares ${innermost.size} bytes, only ${cut - innermost.start} left in the file; the boxes around it are cut too: ${path}`);
      }
      const last = file.boxes[file.boxes.length - 1];
      if (cut - holder.start >= 8) assert.ok(last?.truncated && last.offset === holder.start);
    }
  }
});

/** A box as mp4box.js reads it (an independent reader): its children in `boxes`, or in `entries` (stsd, dref). */
interface OuterBox {
  type?: string;
  start: number;
  size: number;
  boxes?: OuterBox[];
  entries?: OuterBox[];
}

/** The whole file's boxes as mp4box.js reads them. */
function mp4boxTree(bytes: Uint8Array): OuterBox[] {
  const file = createFile();
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  return (file as unknown as { boxes: OuterBox[] }).boxes;
}

/** The child of `box` that the input cut at `cut` ends inside, past its size and type. */
function innerHolder(box: OuterBox, cut: number): OuterBox | undefined {
  // (elst's entries are table rows, not boxes.)
  return (box.boxes ?? box.entries ?? []).find((b) => b.type !== undefined && cut >= b.start + 8 && cut < b.start + b.size);
}

test('a fragmented file cut inside an mdat keeps every sample before the cut and flags the rest', () => {
  const bytes = fixture('h264-aac-frag.mp4');
  const whole = readIsoBmff(bytesSource(bytes));
  const mdat = whole.boxes.find((b) => b.type === 'mdat');
  assert.ok(mdat);
  const cut = mdat.offset + 100;
  const file = readIsoBmff(bytesSource(bytes.subarray(0, cut)));
  assert.deepEqual(codes(file.issues).sort(), ['BOX_TRUNCATED', 'SAMPLE_DATA_PAST_END', 'SAMPLE_DATA_PAST_END'].sort());
  assert.equal(file.fragments.length, 1);
  assert.equal(file.tracks[0]?.samples?.count, whole.fragments[0]?.tracks[0]?.sampleCount);
});

test('size 0 runs to the end of the file (legal at the top level); nested it is a warning', () => {
  const ftyp = box('ftyp', ascii('isom'), u32(0), ascii('isom'));
  const mdat0 = concat(u32(0), ascii('mdat'), new Uint8Array(1000));
  const tree = readBoxes(bytesSource(concat(ftyp, mdat0)));
  assert.deepEqual(tree.issues, []);
  assert.equal(tree.boxes[1]?.type, 'mdat');
  assert.equal(tree.boxes[1]?.size, 1008);
  assert.equal(tree.boxes[1]?.offset, ftyp.length);

  const inner = concat(u32(0), ascii('free'), new Uint8Array(12));
  const moov = box('moov', box('mvex'), inner);
  const nested = readBoxes(bytesSource(concat(ftyp, moov)));
  assert.deepEqual(codes(nested.issues), ['BOX_SIZE_ZERO']);
  assert.equal(nested.issues[0]?.offset, ftyp.length + 8 + 8);
  assert.equal(nested.boxes[1]?.children?.[1]?.size, 20);
});

test('size 1 uses the 64-bit largesize; a file of largesize boxes parses the same', () => {
  const bytes = fixture('h264-aac-frag.mp4');
  const plain = readIsoBmff(bytesSource(bytes));
  // Re-encode ftyp and moov with 16-byte headers: everything after moves by 16 bytes, moof-relative
  // data offsets stay valid.
  const parts: Uint8Array[] = [];
  let shift = 0;
  for (const b of plain.boxes) {
    const body = bytes.subarray(b.offset + b.headerSize, b.offset + b.size);
    if (b.type === 'ftyp' || b.type === 'moov') {
      parts.push(concat(u32(1), ascii(b.type), u32(0), u32(16 + body.length), body));
      shift += 8;
    } else {
      parts.push(bytes.subarray(b.offset, b.offset + b.size));
    }
  }
  const large = readIsoBmff(bytesSource(concat(...parts)));
  assert.deepEqual(large.issues, []);
  assert.equal(large.boxes[0]?.headerSize, 16);
  assert.equal(large.boxes[1]?.headerSize, 16);
  assert.equal(large.boxes[1]?.size, (plain.boxes[1]?.size ?? 0) + 8);
  assert.equal(large.tracks[0]?.codec, 'avc1');
  const a = plain.tracks[0]?.samples;
  const b = large.tracks[0]?.samples;
  assert.ok(a && b);
  assert.deepEqual(b.size, a.size);
  assert.deepEqual(b.dts, a.dts);
  assert.deepEqual(Array.from(b.offset), Array.from(a.offset, (o) => o + shift));

  // A largesize mdat bigger than 4 GiB, declared but cut short: reported, not read.
  const huge = concat(u32(1), ascii('mdat'), u32(1), u32(16), new Uint8Array(64));
  const t = readBoxes(bytesSource(huge));
  assert.equal(t.boxes[0]?.size, 0x1_0000_0010);
  assert.deepEqual(codes(t.issues), ['BOX_TRUNCATED']);
});

test('bytes that are not a box after an ftyp: the type named in hex, the file neither fragmented nor playable', () => {
  const ftyp = box('ftyp', ascii('isom'), u32(0));
  const garbage = concat(u32(0x6ca7_0000), new Uint8Array([0x43, 0x39, 0xf8, 0xd7]), new Uint8Array(100));
  const file = readIsoBmff(bytesSource(concat(ftyp, garbage)));
  assert.equal(file.kind, 'unknown');
  assert.deepEqual(file.issues.map((i) => [i.code, i.offset, i.message]), [
    ['BOX_TYPE_INVALID', ftyp.length, 'box type 0x4339f8d7 is not printable: probably not a box'],
    ['BOX_TRUNCATED', ftyp.length, `box type 0x4339f8d7 declares ${0x6ca7_0000} bytes, only 108 left in the file`],
    ['NO_MOVIE', 0, 'neither moov nor moof: not a playable ISO BMFF file'],
  ]);
});

test('a box size past the end of the file is BOX_TRUNCATED at its offset', () => {
  const ftyp = box('ftyp', ascii('isom'), u32(0));
  const free = concat(u32(5000), ascii('free'), new Uint8Array(10));
  const tree = readBoxes(bytesSource(concat(ftyp, free)));
  assert.deepEqual(codes(tree.issues), ['BOX_TRUNCATED']);
  assert.equal(tree.issues[0]?.offset, ftyp.length);
  assert.equal(tree.boxes[1]?.truncated, true);
  assert.equal(tree.boxes[1]?.size, 5000);
});

test('a box size smaller than its header stops the walk of that parent, with the offset', () => {
  const ftyp = box('ftyp', ascii('isom'), u32(0));
  for (const size of [2, 4, 7]) {
    const bad = concat(u32(size), ascii('free'), new Uint8Array(32));
    const tree = readBoxes(bytesSource(concat(ftyp, bad, box('free'))));
    assert.deepEqual(codes(tree.issues), ['BOX_SIZE_TOO_SMALL']);
    assert.equal(tree.issues[0]?.offset, ftyp.length);
    assert.equal(tree.boxes.length, 1);
  }
  // largesize smaller than 16
  const tree = readBoxes(bytesSource(concat(ftyp, u32(1), ascii('mdat'), u32(0), u32(12), new Uint8Array(8))));
  assert.deepEqual(codes(tree.issues), ['BOX_SIZE_TOO_SMALL']);
  // inside a container: the container stays, its later children are lost
  const moov = box('moov', box('mvex'), concat(u32(3), ascii('trak')), box('udta'));
  const nested = readBoxes(bytesSource(moov));
  assert.deepEqual(codes(nested.issues), ['BOX_SIZE_TOO_SMALL']);
  assert.equal(nested.issues[0]?.offset, 16);
  assert.deepEqual(nested.boxes[0]?.children?.map((b) => b.type), ['mvex']);
});

test('a child running past its parent is box-overflows-parent; the next sibling of the parent still parses', () => {
  const child = concat(u32(100), ascii('mvex'), box('free'));
  const moov = box('moov', child);
  const tree = readBoxes(bytesSource(concat(moov, box('free'))));
  assert.deepEqual(codes(tree.issues), ['BOX_OVERFLOWS_PARENT']);
  assert.equal(tree.issues[0]?.offset, 8);
  assert.deepEqual(tree.boxes.map((b) => b.type), ['moov', 'free']);
});

test('cut tables, fields past the end of a box, and trailing garbage are reported', () => {
  // trun declaring 1000 samples with sizes, room for 3
  const trun = fullBox('trun', 0, 0x200, u32(1000), u32(10), u32(20), u32(30));
  const tree = readBoxes(bytesSource(box('traf', trun)));
  assert.deepEqual(codes(tree.issues), ['TABLE_TRUNCATED']);
  const f = fieldsOf(findBoxes(tree.boxes, 'traf/trun')[0], 'trun');
  assert.deepEqual(Array.from(f?.sizes ?? []), [10, 20, 30]);
  assert.equal(f?.entryCount, 3);

  // mvhd too short for its fields
  const mvhd = fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000));
  const t2 = readBoxes(bytesSource(box('moov', mvhd)));
  assert.deepEqual(codes(t2.issues), ['BOX_FIELDS_OVERRUN']);
  assert.equal(t2.issues[0]?.offset, 8);

  // 5 stray bytes at the end of a file
  const t3 = readBoxes(bytesSource(concat(box('free'), new Uint8Array([1, 2, 3, 4, 5]))));
  assert.deepEqual(codes(t3.issues), ['BOX_HEADER_TRUNCATED']);
  assert.equal(t3.issues[0]?.offset, 8);

  // trun without per-sample fields declaring 4 billion samples: capped, not allocated
  const t4 = readBoxes(bytesSource(box('traf', fullBox('trun', 0, 0, u32(0xffffffff)))));
  assert.deepEqual(codes(t4.issues), ['TRUN_SAMPLE_COUNT_IMPLAUSIBLE']);
});

/** h264-aac-frag.mp4 with `extra` (boxes) added at the end of its first traf, the traf's and moof's sizes grown to hold it. */
function appendedToFirstTraf(extra: Uint8Array): { damaged: Uint8Array; trafEnd: number } {
  const bytes = fixture('h264-aac-frag.mp4');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moof = readBoxes(bytesSource(bytes)).boxes.find((b) => b.type === 'moof');
  assert.ok(moof);
  const traf = readBoxes(bytesSource(bytes.subarray(moof.offset + 8, moof.offset + moof.size))).boxes.find((b) => b.type === 'traf');
  assert.ok(traf);
  const trafEnd = moof.offset + 8 + traf.offset + traf.size;
  const damaged = concat(bytes.subarray(0, trafEnd), extra, bytes.subarray(trafEnd));
  const out = new DataView(damaged.buffer);
  out.setUint32(moof.offset, view.getUint32(moof.offset) + extra.length);
  out.setUint32(moof.offset + 8 + traf.offset, view.getUint32(moof.offset + 8 + traf.offset) + extra.length);
  return { damaged, trafEnd };
}

test('2000 truns of 4 billion samples without per-sample fields in 32 kB: a bounded table, each reported, the repeats counted', () => {
  const { damaged, trafEnd } = appendedToFirstTraf(concat(...Array.from({ length: 2000 }, () => fullBox('trun', 0, 0, u32(0xffffffff)))));
  const file = readIsoBmff(bytesSource(damaged), { samples: true });
  // what the data after each run holds (a few hundred here), and 65 536 more in all: not 2000 × 65 536
  const samples = file.tracks.reduce((sum, track) => sum + (track.samples?.count ?? 0), 0);
  assert.ok(samples < 70_000, `${samples} samples`);
  const implausible = file.issues.filter((i) => i.code === 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE');
  assert.equal(implausible.length, 100);
  assert.equal(implausible[0]?.offset, trafEnd + 12, 'at sample_count');
  // the rest counted in one issue as serious as they are, at the first one not listed (the 101st trun's sample_count)
  const suppressed = file.issues.filter((i) => i.code === 'ISSUES_SUPPRESSED');
  assert.deepEqual(suppressed, [{
    severity: 'error', code: 'ISSUES_SUPPRESSED', message: "3900 more 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE' issues not listed (4000 in all)",
    offset: trafEnd + 100 * 16 + 12, notListed: 3900,
  }]);
});

test('a trun whose data_offset points 2 GB before the file, with 4 billion samples of the tfhd\'s default size: only what the file holds, and 65 536 more', () => {
  const dataOffset = new Uint8Array(4);
  new DataView(dataOffset.buffer).setInt32(0, -2_000_000_000);
  // data-offset-present, no per-sample fields
  const { damaged } = appendedToFirstTraf(fullBox('trun', 0, 0x000001, u32(0xffffffff), dataOffset));
  const file = readIsoBmff(bytesSource(damaged), { samples: true });
  const samples = file.tracks.reduce((sum, track) => sum + (track.samples?.count ?? 0), 0);
  // the room counted from the start of the file (the default size is 3 764 bytes), not from 2 GB before it
  assert.ok(samples < 70_000, `${samples} samples`);
  const implausible = file.issues.filter((i) => i.code === 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE').map((i) => i.message);
  assert.deepEqual(implausible, ['trun declares 4294967295 samples without per-sample fields; reading 16777216', `trun has 16777216 samples of 3764 bytes; the data holds ${Math.floor(damaged.length / 3764)}`]);
});

test('an esds cut inside a descriptor\'s size field: that descriptor is reported at its tag and read as absent (no AudioSpecificConfig placed past the box)', () => {
  // ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo whose expandable size runs off the box
  const esds = fullBox('esds', 0, 0, Uint8Array.of(0x03, 0x19, 0, 1, 0, 0x04, 0x11, 0x40, 0x15, ...new Array<number>(11).fill(0), 0x05, 0x80, 0x80));
  const read = readBoxes(bytesSource(esds));
  const fields = fieldsOf(read.boxes[0], 'esds');
  assert.deepEqual([fields?.objectTypeIndication, fields?.decoderSpecificInfo], [0x40, undefined]);
  const cut = read.issues.find((i) => i.message.endsWith('is cut short in its size field'));
  assert.deepEqual([cut?.code, cut?.offset], ['ESDS_DESCRIPTOR_TRUNCATED', esds.length - 3]);
});

test('deep nesting stops at the depth limit without exhausting the stack', () => {
  const depth = 100_000;
  const bytes = new Uint8Array(depth * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < depth; i++) {
    view.setUint32(i * 8, bytes.length - i * 8);
    bytes.set(ascii('moov'), i * 8 + 4);
  }
  const tree = readBoxes(bytesSource(bytes));
  assert.deepEqual(codes(tree.issues), ['BOX_NESTING_TOO_DEEP']);
  let d = 0;
  let b: Box | undefined = tree.boxes[0];
  while (b?.children?.[0]) {
    b = b.children[0];
    d++;
  }
  assert.equal(d, 32);
});

test('emsg version 0 and version 1', () => {
  const z = (s: string): Uint8Array => concat(ascii(s), new Uint8Array([0]));
  const v0 = fullBox('emsg', 0, 0, z('urn:scte:scte35:2013:bin'), z('1'), u32(90000), u32(4500), u32(180000), u32(7), ascii('hello'));
  const v1 = fullBox('emsg', 1, 0, u32(1000), u32(0), u32(123456), u32(2000), u32(8), z('https://aomedia.org/emsg/ID3'), z(''), new Uint8Array([1, 2, 3]));
  const file = readIsoBmff(bytesSource(concat(v0, v1)));
  assert.deepEqual(file.issues.filter((i) => i.severity !== 'warning'), []);
  const [a, b] = file.events;
  assert.ok(a && b);
  assert.equal(a.schemeIdUri, 'urn:scte:scte35:2013:bin');
  assert.equal(a.value, '1');
  assert.equal(a.timescale, 90000);
  assert.equal(a.presentationTimeDelta, 4500);
  assert.equal(a.eventDuration, 180000);
  assert.equal(a.id, 7);
  assert.deepEqual(Array.from(a.messageData.bytes), Array.from(ascii('hello')));
  assert.equal(a.messageData.offset, v0.length - 5);
  assert.equal(b.presentationTime, 123456);
  assert.equal(b.timescale, 1000);
  assert.equal(b.eventDuration, 2000);
  assert.equal(b.id, 8);
  assert.equal(b.schemeIdUri, 'https://aomedia.org/emsg/ID3');
  assert.equal(b.value, '');
  assert.deepEqual(Array.from(b.messageData.bytes), [1, 2, 3]);
});

test('tfhd optional fields, tfdt v1 and trun fields by flags resolve into samples', () => {
  // A media segment by hand: tfhd with every optional field, tfdt v1 beyond 2^32, and a trun with
  // data offset, first-sample flags, durations and signed v1 composition offsets.
  const tfhd = fullBox('tfhd', 0, 0x01 | 0x02 | 0x08 | 0x10 | 0x20, u32(7), u32(0), u32(0), u32(1), u32(100), u32(50), u32(0x00010000));
  const tfdt = fullBox('tfdt', 1, 0, u32(1), u32(5));
  const trun = fullBox('trun', 1, 0x001 | 0x004 | 0x100 | 0x800, u32(3), u32(0), u32(0x02000000),
    u32(10), u32(0), u32(20), u32(0xfffffff6), u32(30), u32(5));
  const traf = box('traf', tfhd, tfdt, trun);
  const moof = box('moof', fullBox('mfhd', 0, 0, u32(42)), traf);
  const mdat = box('mdat', new Uint8Array(150));
  const bytes = concat(moof, mdat);
  // base_data_offset (absolute) = start of the mdat payload
  new DataView(bytes.buffer).setUint32(8 + 16 + 8 + 12 + 4 + 4, moof.length + 8); // moof, mfhd, traf, tfhd header, track_ID, high word
  const file = readIsoBmff(bytesSource(bytes), { timescales: { 7: 1000 } });
  assert.deepEqual(file.issues, []);
  assert.equal(file.kind, 'media-segment');
  const s = file.tracks[0]?.samples;
  assert.ok(s);
  assert.deepEqual(Array.from(s.dts), [0x1_0000_0005, 0x1_0000_0005 + 10, 0x1_0000_0005 + 30]);
  assert.deepEqual(Array.from(s.cto), [0, -10, 5]);
  assert.deepEqual(Array.from(s.size), [50, 50, 50]);
  assert.deepEqual(Array.from(s.offset), [moof.length + 8, moof.length + 58, moof.length + 108]);
  assert.deepEqual(Array.from(s.sync), [1, 0, 0]);
  const ft = file.fragments[0]?.tracks[0];
  assert.equal(file.fragments[0]?.sequenceNumber, 42);
  assert.equal(ft?.duration, 60);
  assert.equal(ft?.earliestPresentationTime, 0x1_0000_0005);
  assert.equal(ft?.firstSampleSync, true);
});
