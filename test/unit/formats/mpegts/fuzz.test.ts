// Deterministic mutation fuzzing of transport streams: bounded iterations and wall time; nothing may
// throw or hang, and the tables stay self-consistent.
import assert from 'node:assert/strict';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import { bytesSource } from '../../../../src/formats/byteSource';
import { gatherPes, readMpegTs } from '../../../../src/formats/mpegts';
import { concat, fixture, prng } from '../isobmff/helpers';

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let bytes: Uint8Array = src.slice();
  const mutations = 1 + Math.floor(rnd() * 6);
  for (let m = 0; m < mutations; m++) {
    const packet = Math.floor(rnd() * (bytes.length / 188));
    // Headers, adaptation fields, PES and PSI headers live in the first bytes of a packet.
    const at = Math.min(bytes.length - 1, packet * 188 + (rnd() < 0.7 ? Math.floor(rnd() * 24) : Math.floor(rnd() * 188)));
    const kind = rnd();
    if (kind < 0.5) bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
    else if (kind < 0.75) bytes[at] = [0x00, 0xff, 0x47, 0xb7, 0xb8, 0x01][Math.floor(rnd() * 6)] ?? 0;
    else if (kind < 0.85) bytes = concat(bytes.subarray(0, at), new Uint8Array(1 + Math.floor(rnd() * 200)).fill(0x47), bytes.subarray(at));
    else if (kind < 0.95) bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + Math.floor(rnd() * 400))));
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

export function mpegTsFuzz(probe: FuzzProbe): string {
  const inputs = ['h264-aac.ts', 'h265-main.ts'].map((name) => ({ name, bytes: fixture(name) }));
  const rnd = prng(0x7547);
  const started = Date.now();
  const more = fuzzRunsLeft(200, 3000, 2500);
  let runs = 0;
  while (more(runs)) {
    const input = inputs[runs % inputs.length];
    assert.ok(input);
    const bytes = mutate(input.bytes, rnd);
    const src = bytesSource(bytes);
    probe.input(`${input.name} run ${runs}`, bytes);
    const ts = readMpegTs(src, { ranges: runs % 4 !== 0, maxIssuesPerCode: 20 });
    for (const i of ts.issues) assert.ok(i.offset >= 0 && i.offset <= bytes.length);
    const pes = ts.pes;
    assert.ok(pes.pid.length === pes.count && pes.size.length === pes.count && pes.offset.length === pes.count);
    if (runs % 4 !== 0) {
      // Every PES's ranges add up to its size and lie inside the data.
      for (let i = 0; i < pes.count; i++) {
        const payload = ts.streams.find((s) => s.pid === pes.pid[i])?.payload;
        assert.ok(payload);
        let sum = 0;
        for (let k = pes.rangeStart[i] ?? 0, n = 0; n < (pes.rangeCount[i] ?? 0); k++, n++) {
          sum += payload.length[k] ?? 0;
          assert.ok((payload.offset[k] ?? 0) + (payload.length[k] ?? 0) <= bytes.length);
        }
        assert.equal(sum, pes.size[i]);
        if (i % 7 === 0) assert.equal(gatherPes(src, ts, i).length, pes.size[i]);
      }
    }
    runs++;
  }
  probe.done();
  return `ts fuzz: ${runs} runs in ${Date.now() - started} ms`;
}

fuzzTest('mutation fuzz: MPEG-TS reader never throws, never hangs, stays consistent', __filename, mpegTsFuzz, undefined);
