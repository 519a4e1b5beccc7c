import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opusPacketSamples, readOpusControlHeader } from '../../../../src/formats/codecs/index';

test('Opus TOC: samples at 48 kHz from the config and the frame count code (RFC 6716 §3.1)', () => {
  const samples = (...bytes: number[]) => opusPacketSamples(Uint8Array.from(bytes), 0, bytes.length);
  assert.equal(samples((3 << 3) | 0), 2880, 'SILK NB 60 ms, one frame');
  assert.equal(samples((13 << 3) | 1), 1920, 'hybrid SWB 20 ms, two frames of equal size');
  assert.equal(samples((16 << 3) | 2, 0), 240, 'CELT NB 2.5 ms, two frames of different sizes');
  assert.equal(samples((31 << 3) | 3, 0x80 | 6), 5760, 'CELT FB 20 ms, code 3 with M = 6 (VBR flag set)');
  assert.equal(samples((31 << 3) | 3), undefined, 'code 3 without its count byte');
  assert.equal(samples(), undefined, 'an empty packet has no TOC');
});

test('opus_control_header: au_size in 0xFF runs, the trims and the control extension are skipped', () => {
  // prefix 0x3ff, start_trim_flag, end_trim_flag, control_extension_flag; au_size 255 + 45 = 300
  const header = Uint8Array.of(0x7f, 0xe0 | 0x10 | 0x08 | 0x04, 0xff, 0x2d, 0x01, 0x38, 0x00, 0x10, 2, 0xaa, 0xbb, 0xf8);
  assert.deepEqual(readOpusControlHeader(header), { headerLength: 11, packetLength: 300 });
  assert.deepEqual(readOpusControlHeader(Uint8Array.of(0, 0x7f, 0xe0, 0x05, 0xfc), 1), { headerLength: 3, packetLength: 5 });
  assert.equal(readOpusControlHeader(Uint8Array.of(0x7f, 0xc0, 0x05)), undefined, 'not the 11-bit prefix');
  assert.equal(readOpusControlHeader(Uint8Array.of(0x7f, 0xe0, 0xff, 0xff)), undefined, 'au_size runs past the bytes');
  assert.equal(readOpusControlHeader(header.subarray(0, 9)), undefined, 'the control extension runs past the bytes');
});
