import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBitmapInfoHeader } from '../../../../src/formats/codecs/index';

/** A BITMAPINFOHEADER as mkvmerge writes it for an AVI's MJPEG track, then `extra`. */
function header(width: number, height: number, compression: readonly number[], extra: readonly number[] = []): Uint8Array {
  const bytes = new Uint8Array(40 + extra.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true);
  view.setInt32(4, width, true);
  view.setInt32(8, height, true);
  view.setUint16(12, 1, true);
  view.setUint16(14, 24, true);
  bytes.set(compression, 16);
  view.setUint32(20, Math.abs(width * height) * 3, true);
  bytes.set(extra, 40);
  return bytes;
}

test('a BITMAPINFOHEADER: every field little-endian at its byte, biCompression as its FourCC and the codec it names, extra data in hex', () => {
  const parsed = parseBitmapInfoHeader(header(640, -480, [0x4d, 0x4a, 0x50, 0x47], [0xde, 0xad]), 1000);
  assert.deepEqual(parsed.fields, {
    biSize: 42, biWidth: 640, biHeight: -480, biPlanes: 1, biBitCount: 24, biCompression: 'MJPG', biSizeImage: 921600,
    biXPelsPerMeter: 0, biYPelsPerMeter: 0, biClrUsed: 0, biClrImportant: 0, extraData: 'dead',
  });
  assert.deepEqual(parsed.derived, { fourCC: 'MJPG', formatName: 'Motion JPEG' });
  assert.deepEqual(parsed.issues, []);
  const at = (path: string) => parsed.locations.find((location) => location.path === path);
  assert.deepEqual([at('biHeight')?.byteOffset, at('biHeight')?.value, at('biHeight')?.descriptor], [1008, -480, 'LONG']);
  assert.deepEqual([at('biCompression')?.byteOffset, at('biCompression')?.value], [1016, 0x47504a4d]);
  assert.deepEqual([at('extraData')?.byteOffset, at('extraData')?.byteLength], [1040, 2]);
});

test('biCompression that is no FourCC is named by its wingdi.h constant; an unknown FourCC has no codec name', () => {
  const rgb = parseBitmapInfoHeader(header(4, 4, [0, 0, 0, 0]));
  assert.deepEqual([rgb.fields.biCompression, rgb.derived.formatName, rgb.derived.fourCC], ['BI_RGB', 'uncompressed RGB', undefined]);
  const odd = parseBitmapInfoHeader(header(4, 4, [0x51, 0x51, 0x51, 0x51]));
  assert.deepEqual([odd.fields.biCompression, odd.derived.formatName], ['QQQQ', undefined]);
});

test('a BITMAPINFOHEADER cut short keeps the fields before the cut and says where it ends; a biSize that disagrees is a warning', () => {
  const cut = parseBitmapInfoHeader(header(320, 240, [0x48, 0x32, 0x36, 0x34]).subarray(0, 22), 500);
  assert.deepEqual(Object.keys(cut.fields), ['biSize', 'biWidth', 'biHeight', 'biPlanes', 'biBitCount', 'biCompression']);
  assert.deepEqual([cut.fields.biCompression, cut.derived.formatName], ['H264', 'H.264']);
  assert.deepEqual(cut.issues.map((found) => [found.severity, found.code, found.offset]), [['error', 'BITMAPINFOHEADER_TRUNCATED', 520]]);
  assert.match(cut.issues[0]?.message ?? '', /is 22 bytes; it ends before biSizeImage \(40 bytes are needed\)/);

  const bytes = header(320, 240, [0x4d, 0x4a, 0x50, 0x47]);
  new DataView(bytes.buffer).setUint32(0, 12, true);
  assert.deepEqual(parseBitmapInfoHeader(bytes, 7).issues.map((found) => [found.severity, found.code, found.offset]), [['warning', 'BITMAPINFOHEADER_SIZE', 7]]);
  assert.deepEqual(parseBitmapInfoHeader(new Uint8Array(0)).issues.map((found) => found.code), ['BITMAPINFOHEADER_TRUNCATED']);
});
