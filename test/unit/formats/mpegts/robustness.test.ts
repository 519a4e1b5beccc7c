// Bad transport streams: lost sync bytes, continuity counter errors, duplicates, discontinuities,
// truncation, transport errors, PSI CRC errors, 192-byte packets, issue caps. Issue codes and offsets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { PES_CC_ERROR, PES_HAS_DTS, PES_RANDOM_ACCESS, gatherPes, readMpegTs, type MpegTsFile } from '../../../../src/formats/mpegts';
import { concat, fixture } from '../isobmff/helpers';
import { patPayload, pesHeader, pmtPayload, tsPacket } from './helpers';

const codes = (ts: MpegTsFile): string[] => ts.issues.map((i) => i.code);
const pidOf = (b: Uint8Array, k: number): number => (((b[k * 188 + 1] ?? 0) & 0x1f) << 8) | (b[k * 188 + 2] ?? 0);
const hasPayload = (b: Uint8Array, k: number): boolean => ((b[k * 188 + 3] ?? 0) & 0x10) !== 0;

/** Index of the n-th packet (from `from`) of a PID that carries payload. */
function packetOf(bytes: Uint8Array, pid: number, from: number): number {
  for (let k = from; k * 188 < bytes.length; k++) if (pidOf(bytes, k) === pid && hasPayload(bytes, k)) return k;
  throw new Error('no such packet');
}

test('a lost sync byte is reported at its offset; the reader resynchronises on the next packet', () => {
  const bytes = fixture('h264-aac.ts');
  const clean = readMpegTs(bytesSource(bytes));
  const broken = bytes.slice();
  broken[10 * 188] = 0x00;
  const ts = readMpegTs(bytesSource(broken));
  assert.deepEqual(codes(ts).filter((c) => c === 'TS_SYNC_LOST'), ['TS_SYNC_LOST']);
  const lost = ts.issues.find((i) => i.code === 'TS_SYNC_LOST');
  assert.equal(lost?.offset, 10 * 188);
  assert.match(lost?.message ?? '', /resynchronised at 2068 \(188 bytes skipped\)/);
  assert.equal(ts.packetCount, clean.packetCount - 1);

  // Five junk bytes inserted after packet 20: everything after shifts by 5.
  const inserted = concat(bytes.subarray(0, 21 * 188), new Uint8Array([1, 2, 3, 4, 5]), bytes.subarray(21 * 188));
  const ts2 = readMpegTs(bytesSource(inserted));
  assert.deepEqual(codes(ts2), ['TS_SYNC_LOST']);
  assert.equal(ts2.issues[0]?.offset, 21 * 188);
  assert.equal(ts2.packetCount, clean.packetCount);
  assert.equal(ts2.pes.count, clean.pes.count);
  for (let i = 0; i < clean.pes.count; i++) {
    const o = clean.pes.offset[i] ?? 0;
    assert.equal(ts2.pes.offset[i], o >= 21 * 188 ? o + 5 : o);
    assert.equal(ts2.pes.size[i], clean.pes.size[i]);
  }
  // The payload ranges follow the shift: the same access units come back.
  for (let i = 0; i < clean.pes.count; i++) assert.deepEqual(gatherPes(bytesSource(inserted), ts2, i), gatherPes(bytesSource(bytes), clean, i));

  // No sync byte anywhere after the loss.
  const tail = concat(bytes.subarray(0, 5 * 188), new Uint8Array(1000));
  const ts3 = readMpegTs(bytesSource(tail));
  assert.deepEqual(codes(ts3).slice(0, 1), ['TS_SYNC_LOST']);
  assert.equal(ts3.issues[0]?.offset, 5 * 188);
});

test('a flipped continuity counter is two TS_CC_ERRORs (that packet and the next), and marks the PES', () => {
  const bytes = fixture('h264-aac.ts');
  const broken = bytes.slice();
  const k = packetOf(bytes, 256, 30);
  const next = packetOf(bytes, 256, k + 1);
  broken[k * 188 + 3] = (broken[k * 188 + 3] ?? 0) ^ 0x08;
  const ts = readMpegTs(bytesSource(broken));
  assert.deepEqual(codes(ts), ['TS_CC_ERROR', 'TS_CC_ERROR']);
  assert.deepEqual(ts.issues.map((i) => i.offset), [k * 188, next * 188]);
  assert.equal(ts.pids.find((p) => p.pid === 256)?.ccErrors, 2);
  // The PES holding packet k carries the flag.
  let holder = -1;
  for (let i = 0; i < ts.pes.count; i++) if (ts.pes.pid[i] === 256 && (ts.pes.offset[i] ?? 0) <= k * 188) holder = i;
  assert.ok(holder >= 0);
  assert.ok((ts.pes.flags[holder] ?? 0) & PES_CC_ERROR);
});

test('a duplicate packet is no error and its payload is not counted twice; a third copy is an error', () => {
  const bytes = fixture('h264-aac.ts');
  const clean = readMpegTs(bytesSource(bytes));
  const k = packetOf(bytes, 256, 40);
  const copy = bytes.subarray(k * 188, (k + 1) * 188);
  const dup = concat(bytes.subarray(0, (k + 1) * 188), copy, bytes.subarray((k + 1) * 188));
  const ts = readMpegTs(bytesSource(dup));
  assert.deepEqual(ts.issues, []);
  assert.equal(ts.packetCount, clean.packetCount + 1);
  assert.deepEqual(ts.pes.size, clean.pes.size);
  const triple = concat(bytes.subarray(0, (k + 1) * 188), copy, copy, bytes.subarray((k + 1) * 188));
  const ts3 = readMpegTs(bytesSource(triple));
  assert.deepEqual(codes(ts3), ['TS_CC_ERROR']);
  assert.equal(ts3.issues[0]?.offset, (k + 2) * 188);
});

/** A small stream: PAT, PMT, then PES packets of PID 0x100 with the given continuity counters. */
function synthetic(ccs: number[], discontinuityAt = -1): Uint8Array {
  const packets = [tsPacket(0, patPayload(1, 0x1000), { pusi: true }), tsPacket(0x1000, pmtPayload(1, 0x100, [{ type: 0x1b, pid: 0x100 }]), { pusi: true })];
  ccs.forEach((cc, i) => {
    const start = i % 3 === 0;
    const payload = start ? concat(pesHeader(90000 + i * 3000, 87000 + i * 3000), new Uint8Array(150).fill(i)) : new Uint8Array(184).fill(i);
    packets.push(tsPacket(0x100, payload, { pusi: start, cc, randomAccess: i === 0, discontinuity: i === discontinuityAt, pcr: start ? 27_000_000 + i * 10_000 : undefined }));
  });
  return concat(...packets);
}

test('the discontinuity indicator allows a counter jump; without it the jump is an error', () => {
  const ccs = [0, 1, 2, 9, 10, 11];
  const withFlag = readMpegTs(bytesSource(synthetic(ccs, 3)));
  assert.deepEqual(withFlag.issues, []);
  const without = readMpegTs(bytesSource(synthetic(ccs)));
  assert.deepEqual(codes(without), ['TS_CC_ERROR']);
  assert.equal(without.issues[0]?.offset, (2 + 3) * 188);
  assert.match(without.issues[0]?.message ?? '', /continuity_counter 9, expected 3/);
  // Counters wrap from 15 to 0.
  assert.deepEqual(readMpegTs(bytesSource(synthetic([14, 15, 0, 1, 2, 3]))).issues, []);
});

test('a packet that repeats the counter of the one before but not its bytes (recordings joined, their counters meeting by chance) is a CC error, not a duplicate: the PES it starts is kept', () => {
  const ts = readMpegTs(bytesSource(synthetic([0, 1, 2, 2, 3, 4])));
  assert.deepEqual(codes(ts), ['TS_CC_ERROR']);
  assert.equal(ts.issues[0]?.offset, (2 + 3) * 188);
  assert.match(ts.issues[0]?.message ?? '', /continuity_counter 2, expected 3/);
  assert.equal(ts.pes.count, 2);
  assert.deepEqual(Array.from(ts.pes.pts.subarray(0, 2)), [90000, 99000]);
  // The same stream with packet 3 a true duplicate of packet 2: skipped, no error.
  const clean = synthetic([0, 1, 2, 3, 4, 5]);
  const third = clean.subarray(4 * 188, 5 * 188);
  const duplicated = readMpegTs(bytesSource(concat(clean.subarray(0, 5 * 188), third, clean.subarray(5 * 188))));
  assert.deepEqual(duplicated.issues, []);
  assert.equal(duplicated.pes.count, 2);
});

test('synthetic stream: PTS/DTS, random access, PCR and payload bytes are exact', () => {
  const ts = readMpegTs(bytesSource(synthetic([0, 1, 2, 3, 4, 5])));
  assert.deepEqual(ts.issues, []);
  assert.equal(ts.pes.count, 2);
  assert.deepEqual(Array.from(ts.pes.pts), [90000, 99000]);
  assert.deepEqual(Array.from(ts.pes.dts), [87000, 96000]);
  assert.deepEqual(Array.from(ts.pes.size), [150 + 184 * 2, 150 + 184 * 2]);
  assert.deepEqual(Array.from(ts.pes.offset), [2 * 188, 5 * 188]);
  assert.equal((ts.pes.flags[0] ?? 0) & (PES_RANDOM_ACCESS | PES_HAS_DTS), PES_RANDOM_ACCESS | PES_HAS_DTS);
  assert.equal((ts.pes.flags[1] ?? 0) & PES_RANDOM_ACCESS, 0);
  assert.deepEqual(Array.from(ts.pcr.value), [27_000_000, 27_030_000]);
  const au = gatherPes(bytesSource(synthetic([0, 1, 2, 3, 4, 5])), ts, 1);
  assert.deepEqual(au, concat(new Uint8Array(150).fill(3), new Uint8Array(184).fill(4), new Uint8Array(184).fill(5)));
  // 33-bit timestamps near the wrap.
  const big = concat(tsPacket(0, patPayload(1, 0x1000), { pusi: true }), tsPacket(0x1000, pmtPayload(1, 0x100, [{ type: 0x24, pid: 0x100 }]), { pusi: true }),
    tsPacket(0x100, concat(pesHeader(2 ** 33 - 1, 2 ** 32 + 5), new Uint8Array(10)), { pusi: true }));
  const t2 = readMpegTs(bytesSource(big));
  assert.equal(t2.pes.pts[0], 2 ** 33 - 1);
  assert.equal(t2.pes.dts[0], 2 ** 32 + 5);
  assert.equal(t2.streams[0]?.codec, 'hevc');
});

test('transport errors, CRC errors and PES length mismatches are reported', () => {
  const base = [tsPacket(0, patPayload(1, 0x1000), { pusi: true }), tsPacket(0x1000, pmtPayload(1, 0x100, [{ type: 0x0f, pid: 0x101 }]), { pusi: true })];
  const tei = readMpegTs(bytesSource(concat(...base, tsPacket(0x101, new Uint8Array(184), { tei: true }))));
  assert.deepEqual(codes(tei), ['TS_TRANSPORT_ERROR']);
  assert.equal(tei.issues[0]?.offset, 2 * 188);

  const pmt = pmtPayload(1, 0x100, [{ type: 0x0f, pid: 0x101 }]);
  const badPmt = tsPacket(0x1000, pmt, { pusi: true });
  const at = 188 - pmt.length + 12; // a byte of the section (the payload ends the packet)
  badPmt[at] = (badPmt[at] ?? 0) ^ 0xff;
  const crc = readMpegTs(bytesSource(concat(base[0] ?? new Uint8Array(), badPmt)));
  const crcIssue = crc.issues.find((i) => i.code === 'TS_PSI_CRC_ERROR');
  assert.equal(crcIssue?.offset, 188 + 188 - pmt.length + 1, 'the section starts after the pointer_field');
  assert.equal(crcIssue?.message, 'PID 4096: CRC_32 of table 0x2 does not match; read as it is, as no copy with a good CRC came before it');

  // Only the CRC damaged, repeated: reported once, and its stream is read, as ffmpeg reads it.
  const crcOnly = (cc: number) => {
    const packet = tsPacket(0x1000, pmt, { pusi: true, cc });
    packet[187] = (packet[187] ?? 0) ^ 0x01; // the last byte of CRC_32
    return packet;
  };
  const repeated = readMpegTs(bytesSource(concat(base[0] ?? new Uint8Array(), crcOnly(0), crcOnly(1), crcOnly(2))));
  assert.deepEqual(codes(repeated), ['TS_PSI_CRC_ERROR']);
  assert.deepEqual(repeated.streams.map((stream) => stream.pid), [0x101]);
  // After a good copy, a damaged one is not used.
  const afterGood = readMpegTs(bytesSource(concat(...base, crcOnly(1))));
  assert.deepEqual(afterGood.issues.map((i) => [i.code, i.message]), [['TS_PSI_CRC_ERROR', 'PID 4096: CRC_32 of table 0x2 does not match; the copy before it stays in use']]);
  assert.deepEqual(afterGood.streams.map((stream) => stream.pid), [0x101]);

  // A section_length made longer: the section is still short of it where the next section starts.
  const pat = patPayload(1, 0x1000);
  const longPat = tsPacket(0, pat, { pusi: true });
  const lengthAt = 188 - pat.length + 3; // after the pointer_field, table_id and the section_length's high bits
  longPat[lengthAt] = (longPat[lengthAt] ?? 0) + 100;
  const incomplete = readMpegTs(bytesSource(concat(longPat, tsPacket(0, pat, { pusi: true, cc: 1 }), base[1] ?? new Uint8Array())));
  assert.deepEqual(incomplete.issues.map((i) => [i.code, i.offset]), [['TS_SECTION_INCOMPLETE', 188 - pat.length + 1]]);
  assert.match(incomplete.issues[0]?.message ?? '', /^PID 0: a section of \d+ bytes \(section_length \d+\) ends after \d+ bytes, where the next section starts; dropped$/);

  // PES_packet_length 1000 but only 200 bytes carried before the next PES starts.
  const short = readMpegTs(bytesSource(concat(...base,
    tsPacket(0x101, concat(pesHeader(1000, undefined, 1000), new Uint8Array(100)), { pusi: true, cc: 0 }),
    tsPacket(0x101, concat(pesHeader(5000), new Uint8Array(20)), { pusi: true, cc: 1 }))));
  assert.deepEqual(codes(short), ['TS_PES_LENGTH_MISMATCH']);
  assert.equal(short.issues[0]?.offset, 2 * 188);
});

test('truncated streams at many cut points: partial packets are reported at their offset, never thrown', () => {
  const bytes = fixture('h264-aac.ts');
  const clean = readMpegTs(bytesSource(bytes));
  for (let cut = 0; cut < bytes.length; cut += 61) {
    const ts = readMpegTs(bytesSource(bytes.subarray(0, cut)));
    const whole = Math.floor(cut / 188);
    assert.equal(ts.packetCount, whole);
    if (cut % 188 !== 0) {
      // Cut inside the first packet: nothing to read, an error.
      const t = ts.issues.find((i) => i.code === (whole === 0 ? 'TS_NO_PACKETS' : 'TS_PACKET_TRUNCATED'));
      assert.equal(t?.offset, whole * 188, `cut at ${cut}`);
      assert.equal(t?.severity, 'error');
      if (whole > 0) assert.equal(t?.message, `the input ends ${cut - whole * 188} bytes into a packet: cut short, and the frame that packet carries is incomplete`);
    }
    assert.ok(ts.pes.count <= clean.pes.count);
    for (let i = 0; i + 1 < ts.pes.count; i++) assert.equal(ts.pes.size[i], clean.pes.size[i]);
  }
});

test('192-byte packets (M2TS timecode prefix) read the same, also when a timestamp byte is 0x47 packet after packet', () => {
  const bytes = fixture('h264-aac.ts');
  const clean = readMpegTs(bytesSource(bytes));
  const n = bytes.length / 188;
  const m2ts = new Uint8Array(n * 192);
  for (let k = 0; k < n; k++) m2ts.set(bytes.subarray(k * 188, (k + 1) * 188), k * 192 + 4);
  // arrival timestamps whose bits 16-23 are 0x47 for the first packets (27 MHz, 864 ticks apart)
  const stamped = Uint8Array.from(m2ts);
  for (let k = 0; k < n; k++) new DataView(stamped.buffer).setUint32(k * 192, (0x00470000 + k * 864) & 0x3fffffff);
  assert.equal(readMpegTs(bytesSource(stamped)).issues.length, 0, 'the sync byte, not the timestamp byte');
  const ts = readMpegTs(bytesSource(m2ts));
  assert.equal(ts.packetSize, 192);
  assert.deepEqual(codes(ts), []);
  assert.deepEqual(ts.pes.pts, clean.pes.pts);
  assert.deepEqual(ts.pes.size, clean.pes.size);
  assert.deepEqual(Array.from(ts.pes.offset), Array.from(clean.pes.offset, (o) => (o / 188) * 192 + 4));
  for (let i = 0; i < clean.pes.count; i++) assert.deepEqual(gatherPes(bytesSource(m2ts), ts, i), gatherPes(bytesSource(bytes), clean, i));
});

test('issues are capped per code and the rest counted', () => {
  const ccs = Array.from({ length: 300 }, (_, i) => (i * 2) & 15); // every packet jumps
  const ts = readMpegTs(bytesSource(synthetic(ccs)), { maxIssuesPerCode: 10 });
  assert.equal(ts.issueCounts['TS_CC_ERROR'], 299);
  assert.equal(ts.issues.filter((i) => i.code === 'TS_CC_ERROR').length, 10);
  const eleventh = (2 + 11) * 188; // after the PAT and the PMT, the k-th packet of the PID jumps the k-th time
  assert.deepEqual(ts.issues.filter((i) => i.code === 'ISSUES_SUPPRESSED'), [{
    severity: 'error', code: 'ISSUES_SUPPRESSED', message: "289 more 'TS_CC_ERROR' issues not listed (299 in all)", offset: eleventh, notListed: 289,
  }]);
});

test('no PAT, or payload before the first PES start', () => {
  const noPat = readMpegTs(bytesSource(tsPacket(0x100, new Uint8Array(184))));
  assert.deepEqual(codes(noPat), ['TS_NO_PAT']);
  const early = readMpegTs(bytesSource(concat(tsPacket(0, patPayload(1, 0x1000), { pusi: true }),
    tsPacket(0x1000, pmtPayload(1, 0x100, [{ type: 0x1b, pid: 0x100 }]), { pusi: true }),
    tsPacket(0x100, new Uint8Array(184), { cc: 3 }))));
  assert.deepEqual(codes(early), ['TS_PES_WITHOUT_START']);
  assert.equal(early.issues[0]?.offset, 2 * 188);
  assert.equal(readMpegTs(bytesSource(new Uint8Array(0))).packetCount, 0);
});
