import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseWaveFormatEx } from '../../../../src/formats/codecs/index';
import { media, streamInfo } from './helpers/ffmpeg';

/** The A_MS/ACM CodecPrivate: a minimal search for the CodecPrivate element (63 A2) with an 18-byte size (0x92). */
function codecPrivate18(file: string): { bytes: Uint8Array; offset: number } {
  const data = readFileSync(file);
  for (let i = 0; i + 21 < data.length; i++) {
    if (data[i] === 0x63 && data[i + 1] === 0xa2 && data[i + 2] === 0x92) return { bytes: data.subarray(i + 3, i + 21), offset: i + 3 };
  }
  throw new Error(`no 18-byte CodecPrivate in ${file}`);
}

for (const [file, tag, name] of [
  ['h264-alaw.mkv', 6, 'G.711 A-law'],
  ['h264-mulaw.mkv', 7, 'G.711 mu-law'],
] as const) {
  test(`${file}: WAVEFORMATEX fields equal ffprobe and mkvinfo`, () => {
    const path = media(file);
    const { bytes, offset } = codecPrivate18(path);
    const wave = parseWaveFormatEx(bytes, offset);
    assert.deepEqual(wave.issues, []);
    const info = streamInfo(path, 'a:0');
    assert.deepEqual(wave.fields, {
      wFormatTag: tag,
      nChannels: Number(info.channels),
      nSamplesPerSec: Number(info.sample_rate),
      nAvgBytesPerSec: 8000,
      nBlockAlign: 1,
      wBitsPerSample: Number(info.bits_per_sample),
      cbSize: 0,
    });
    assert.equal(wave.derived.formatName, name);
    assert.match(execFileSync('mkvinfo', [path], { encoding: 'utf8' }), new RegExp(`size 18 \\(format tag: 0x000${tag}\\)`));
    const rate = wave.locations.find((l) => l.path === 'nSamplesPerSec');
    assert.deepEqual(rate && [rate.byteOffset, rate.byteLength], [offset + 4, 4]);
  });
}

test('WAVE_FORMAT_EXTENSIBLE, a bare 16-byte PCMWAVEFORMAT, truncation and inconsistent block alignment', () => {
  const ext = new Uint8Array(40);
  const v = new DataView(ext.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, 2, true);
  v.setUint32(4, 48000, true);
  v.setUint32(8, 192000, true);
  v.setUint16(12, 4, true);
  v.setUint16(14, 16, true);
  v.setUint16(16, 22, true);
  v.setUint16(18, 16, true);
  v.setUint32(20, 3, true);
  ext.set([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 24);
  const w = parseWaveFormatEx(ext);
  assert.deepEqual(w.issues, []);
  assert.equal(w.fields.SubFormat, '00000001-0000-0010-8000-00aa00389b71');
  assert.equal(w.derived.subFormatName, 'PCM');
  assert.equal(w.fields.dwChannelMask, 3);

  const pcm16 = parseWaveFormatEx(ext.slice(0, 16).map((b, i) => (i === 0 ? 1 : i === 1 ? 0 : b)));
  assert.equal(pcm16.fields.cbSize, undefined);
  assert.deepEqual(pcm16.issues, []);

  assert.deepEqual(
    parseWaveFormatEx(ext.subarray(0, 10)).issues.map((i) => i.code),
    ['WAVEFORMATEX_TRUNCATED'],
  );
  // A-law, mono, 8 kHz, 8000 bytes/s (right), a block of 3 and 16-bit samples (both wrong)
  const alaw = Uint8Array.of(6, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 3, 0, 16, 0, 0, 0);
  assert.deepEqual(
    parseWaveFormatEx(alaw).issues.map((i) => [i.code, i.message]),
    [['WAVEFORMATEX_BLOCK_ALIGN', 'nBlockAlign is 3; nChannels × 1 byte = 1.'], ['WAVEFORMATEX_BITS', 'G.711 samples are 8 bits; wBitsPerSample is 16.']],
  );
});

test('G.711 as GStreamer\'s matroskamux declares it (wBitsPerSample 0, nAvgBytesPerSec an eighth of the rate): the two wrong fields, each once', () => {
  // mu-law, mono, 16 kHz, 2000 bytes/s, block 1, 0 bits
  const mulaw = Uint8Array.of(7, 0, 1, 0, 0x80, 0x3e, 0, 0, 0xd0, 0x07, 0, 0, 1, 0, 0, 0, 0, 0);
  assert.deepEqual(
    parseWaveFormatEx(mulaw).issues.map((i) => [i.code, i.message, i.offset]),
    [['WAVEFORMATEX_AVG_BYTES', 'nAvgBytesPerSec is 2000; nSamplesPerSec × the block size = 16000.', 8], ['WAVEFORMATEX_BITS', 'G.711 samples are 8 bits; wBitsPerSample is 0.', 14]],
  );
});
