// MPEG audio, AC-3 and LATM frame headers that ffmpeg's encoders and muxers do not make (Layer I, MPEG
// 2.5, free format, AC-3 at half rate, E-AC-3 at a reduced rate, LATM audioMuxVersion 1): frame lengths
// from the standards' formulas and tables.
// The encoders' own streams are checked against ffprobe in test/unit/inspect/isobmffAndTs.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mpegAudioName, parseAudioSpecificConfig, readAc3FrameInfo, readLatmStreamMuxConfig, readMpegAudioFrameInfo } from '../../../../src/formats/codecs';

test('MPEG audio: Layer I counts 4-byte slots, MPEG 2.5 Layer III has 576 samples; free format and reserved values give nothing', () => {
  // MPEG-1 Layer I, 384 kbit/s (index 12), 48 kHz, padding: (12 × 384000 / 48000 + 1) × 4.
  const layer1 = readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xff, 0xc6, 0x00));
  assert.deepEqual(layer1, { version: 1, layer: 1, bitrate: 384, sampleRate: 48000, channels: 2, samples: 384, frameLength: 388 });
  assert.equal(layer1 && mpegAudioName(layer1), 'MPEG-1 Audio Layer I');
  // MPEG 2.5 Layer III, 64 kbit/s (index 8), 8 kHz (index 2), mono: 72 × 64000 / 8000.
  assert.deepEqual(readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xe3, 0x88, 0xc0)), { version: 2.5, layer: 3, bitrate: 64, sampleRate: 8000, channels: 1, samples: 576, frameLength: 576 });
  assert.equal(readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xfd, 0x04, 0x00)), undefined, 'free format (bitrate_index 0)');
  assert.equal(readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xeb, 0x84, 0x00)), undefined, 'reserved version');
  assert.equal(readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xfd, 0x8c, 0x00)), undefined, 'reserved sampling frequency');
  assert.equal(readMpegAudioFrameInfo(Uint8Array.of(0xff, 0xfd, 0x84)), undefined, 'cut short');
});

test('AC-3: the 44.1 kHz frame sizes of the A/52 table, half-rate bsid 9; E-AC-3 at a reduced rate has 6 blocks', () => {
  const ac3 = (fscodFrmsizecod: number, bsid = 8, acmod = 2, more = 0) => readAc3FrameInfo(Uint8Array.of(0x0b, 0x77, 0, 0, fscodFrmsizecod, bsid << 3, (acmod << 5) | more, 0));
  // 44.1 kHz (fscod 1), 640 kbit/s: 1393 words, 1394 with the odd frmsizecod.
  assert.equal(ac3((1 << 6) | 36)?.frameLength, 2786);
  assert.equal(ac3((1 << 6) | 37)?.frameLength, 2788);
  // 32 kHz (fscod 2), 32 kbit/s: 96 words.
  assert.equal(ac3((2 << 6) | 0)?.frameLength, 192);
  // acmod 7 (3/2): cmixlev and surmixlev come before lfeon, which is set here: 5.1.
  assert.equal(ac3(8, 8, 7, 0b0000_0001)?.channels, 6);
  assert.equal(ac3(8, 8, 2, 0b0000_0100)?.channels, 3, 'acmod 2 (2/0): dsurmod, then lfeon');
  assert.deepEqual(ac3(8, 9), { bsid: 9, enhanced: false, sampleRate: 24000, channels: 2, samples: 1536, frameLength: 256 });
  assert.equal(ac3((3 << 6) | 8), undefined, 'reserved fscod');
  assert.equal(ac3(38), undefined, 'reserved frmsizecod');
  // E-AC-3: frmsiz 383 (768 bytes), fscod 3 with fscod2 1 (22.05 kHz), acmod 1 (mono), lfeon 0, bsid 16.
  const eac3 = readAc3FrameInfo(Uint8Array.of(0x0b, 0x77, 0x01, 0x7f, 0xd2, 0x80, 0x00, 0x00));
  assert.deepEqual(eac3, { bsid: 16, enhanced: true, sampleRate: 22050, channels: 1, samples: 1536, frameLength: 768 });
  assert.equal(readAc3FrameInfo(Uint8Array.of(0x0b, 0x77, 0x01, 0x7f, 0xd2, 0x88, 0x00, 0x00)), undefined, 'bsid 17');
});

/** Bytes from a string of bits (spaces ignored), zero-padded to a whole byte. */
function bits(text: string): Uint8Array {
  const digits = text.replace(/ /g, '');
  return Uint8Array.from({ length: Math.ceil(digits.length / 8) }, (_, i) => parseInt(digits.slice(i * 8, i * 8 + 8).padEnd(8, '0'), 2));
}

test('LATM: a StreamMuxConfig of audioMuxVersion 1 gives its AudioSpecificConfig, of the length it declares, and numSubFrames', () => {
  const element = bits(
    '0' + // useSameStreamMux
    '1 0' + // audioMuxVersion 1, audioMuxVersionA 0
    '00 11111111' + // taraBufferFullness: LatmGetValue, one byte
    '1 000011 0000 000' + // allStreamsSameTimeFraming, numSubFrames 3, numProgram 0, numLayer 0
    '00 00010000' + // ascLen: 16 bits
    '00010 0011 0010 000' + // AudioSpecificConfig: AAC LC, 48 kHz, 2 channels, GASpecificConfig
    '000 11111111', // frameLengthType 0, latmBufferFullness
  );
  const frame = Uint8Array.of(0x56, 0xe0 | (element.length >> 8), element.length & 0xff, ...element);
  const config = readLatmStreamMuxConfig(frame);
  assert.deepEqual(config && [Array.from(config.audioSpecificConfig), config.framesPerElement], [[0x11, 0x90], 4]);
  assert.deepEqual(config && [parseAudioSpecificConfig(config.audioSpecificConfig).derived.sampleRate, parseAudioSpecificConfig(config.audioSpecificConfig).derived.channels], [48000, 2]);
  assert.equal(readLatmStreamMuxConfig(Uint8Array.of(0x56, 0xe0, 1, 0x80)), undefined, 'useSameStreamMux 1: no config in this frame');
  assert.equal(readLatmStreamMuxConfig(frame.subarray(1)), undefined, 'no sync word');
});
