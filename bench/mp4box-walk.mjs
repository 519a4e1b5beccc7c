// The mp4box.js side of the fMP4 benchmark: feeds the whole file (mp4box.js must see every byte) in
// 1 MiB chunks and counts the sample headers of every moof/trun it parsed. parseMs: the time from opening
// the file to the counts, measured inside the process (as bench/walk.ts measures ours).
import { createFile, MP4BoxBuffer } from 'mp4box';
import { openSync, readSync, fstatSync } from 'node:fs';

const started = performance.now();
const path = process.argv[2];
const fd = openSync(path, 'r');
const size = fstatSync(fd).size;
const file = createFile(false);
const CHUNK = 1 << 20;
for (let offset = 0; offset < size; offset += CHUNK) {
  const buffer = new ArrayBuffer(Math.min(CHUNK, size - offset));
  readSync(fd, new Uint8Array(buffer), 0, buffer.byteLength, offset);
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(buffer, offset));
}
file.flush();
let samples = 0;
for (const moof of file.moofs) for (const traf of moof.trafs) for (const trun of traf.truns) samples += trun.sample_count;
const parseMs = Number((performance.now() - started).toFixed(2));
console.log(JSON.stringify({ moofs: file.moofs.length, samples, parseMs }));
