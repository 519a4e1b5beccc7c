import type { Severity } from '../issues';
import { childBox } from './find';
import { fieldsOf } from './registry';
import type { SampleTable } from './samples';
import type { Box } from './types';

/** Constant-size samples beyond this many must fit in the source. */
const UNBACKED_SAMPLES = 1 << 16;

type Report = (severity: Severity, code: string, message: string, offset: number) => void;

/**
 * The sample table of a plain (non-fragmented) track, derived from stbl: stsz/stz2 (count, sizes),
 * stts (decode times, durations), ctts (composition offsets), stss (sync samples), stsc + stco/co64
 * (file offsets). Cost is O(samples + chunks + table entries). `audio`: a sound track, whose
 * uncompressed samples (see chunkRows) make a row per chunk.
 */
export function buildSampleTable(stbl: Box, maxSamples: number, dataSize: number, report: Report, audio = false): SampleTable {
  const chunked = audio ? chunkRows(stbl, maxSamples, dataSize) : undefined;
  const table = chunked ?? sampleRows(stbl, maxSamples, dataSize, report);
  reportDataPastEnd(stbl, table, chunked ? 'rows of samples' : 'samples', dataSize, report);
  return table;
}

/** One row per sample. */
function sampleRows(stbl: Box, maxSamples: number, dataSize: number, report: Report): SampleTable {
  const stszBox = childBox(stbl, 'stsz') ?? childBox(stbl, 'stz2');
  const sz = fieldsOf(stszBox, 'stsz') ?? fieldsOf(stszBox, 'stz2');
  let n = 0;
  if (sz && sz.sampleSize !== 0) {
    // A constant size costs no bytes per sample: a damaged count must still fit in the data.
    n = sz.sampleCount;
    const room = Math.max(UNBACKED_SAMPLES, Math.floor(dataSize / sz.sampleSize));
    if (n > room) {
      report('error', 'STSZ_SAMPLE_COUNT_IMPLAUSIBLE', `stsz declares ${n} samples of ${sz.sampleSize} bytes; the data holds ${room}`, stszBox?.offset ?? stbl.offset);
      n = room;
    }
  } else if (sz) {
    n = Math.min(sz.sampleCount, sz.sizes.length);
  } else if (childBox(stbl, 'stts')) {
    report('error', 'STSZ_MISSING', 'stbl has no stsz/stz2: sample count unknown', stbl.offset);
  }
  if (n > maxSamples) {
    report('warning', 'SAMPLE_TABLE_LIMIT', `${n} samples; keeping the first ${maxSamples}`, stszBox?.offset ?? stbl.offset);
    n = maxSamples;
  }
  const size = new Uint32Array(n);
  if (sz && sz.sampleSize !== 0) size.fill(sz.sampleSize);
  else if (sz) size.set(sz.sizes.subarray(0, n));

  const dts = new Float64Array(n);
  const duration = new Uint32Array(n);
  fillTimes(stbl, n, dts, duration, report);
  const cto = new Int32Array(n);
  fillCompositionOffsets(stbl, n, cto, report);
  const sync = new Uint8Array(n);
  fillSync(stbl, n, sync, report);
  const offset = new Float64Array(n);
  // Samples no chunk holds have no bytes to read: the table keeps the placed ones, always the first.
  const placed = fillOffsets(stbl, n, size, offset, report);
  return {
    count: placed,
    dts: dts.subarray(0, placed),
    cto: cto.subarray(0, placed),
    duration: duration.subarray(0, placed),
    size: size.subarray(0, placed),
    offset: offset.subarray(0, placed),
    sync: sync.subarray(0, placed),
  };
}

function fillTimes(stbl: Box, n: number, dts: Float64Array, duration: Uint32Array, report: Report): void {
  const box = childBox(stbl, 'stts');
  const stts = fieldsOf(box, 'stts');
  if (!stts) {
    if (n > 0) report('error', 'STTS_MISSING', 'stbl has no stts: decode times unknown', stbl.offset);
    return;
  }
  const counts = stts.sampleCounts;
  const deltas = stts.sampleDeltas;
  let s = 0;
  let t = 0;
  let total = 0;
  for (let e = 0; e < counts.length; e++) {
    const count = counts[e] ?? 0;
    const delta = deltas[e] ?? 0;
    total += count;
    const stop = Math.min(n, s + count);
    for (; s < stop; s++) {
      dts[s] = t;
      duration[s] = delta;
      t += delta;
    }
  }
  for (; s < n; s++) dts[s] = t;
  if (total !== n && box) report('warning', 'STTS_COUNT_MISMATCH', `stts covers ${total} samples, stsz has ${n}`, box.offset);
}

function fillCompositionOffsets(stbl: Box, n: number, cto: Int32Array, report: Report): void {
  const box = childBox(stbl, 'ctts');
  const ctts = fieldsOf(box, 'ctts');
  if (!ctts || !box) return;
  const counts = ctts.sampleCounts;
  const offsets = ctts.sampleOffsets;
  let s = 0;
  let total = 0;
  for (let e = 0; e < counts.length; e++) {
    const count = counts[e] ?? 0;
    const value = offsets[e] ?? 0;
    total += count;
    const stop = Math.min(n, s + count);
    for (; s < stop; s++) cto[s] = value;
  }
  if (total !== n) report('warning', 'CTTS_COUNT_MISMATCH', `ctts covers ${total} samples, stsz has ${n}`, box.offset);
}

function fillSync(stbl: Box, n: number, sync: Uint8Array, report: Report): void {
  const box = childBox(stbl, 'stss');
  const stss = fieldsOf(box, 'stss');
  if (!stss || !box) {
    sync.fill(1); // no stss: every sample is a sync sample
    return;
  }
  const numbers = stss.sampleNumbers;
  let bad = 0;
  for (let i = 0; i < numbers.length; i++) {
    const k = (numbers[i] ?? 0) - 1;
    if (k >= 0 && k < n) sync[k] = 1;
    else bad++;
  }
  if (bad > 0) report('warning', 'STSS_SAMPLE_OUT_OF_RANGE', `${bad} stss entries name samples outside 1..${n}`, box.offset);
}

/** Fills the offsets of the samples stsc and stco/co64 place, the first ones; returns how many. */
function fillOffsets(stbl: Box, n: number, size: Uint32Array, offset: Float64Array, report: Report): number {
  const stscBox = childBox(stbl, 'stsc');
  const stsc = fieldsOf(stscBox, 'stsc');
  const chunkBox = childBox(stbl, 'stco') ?? childBox(stbl, 'co64');
  const chunks = (fieldsOf(chunkBox, 'stco') ?? fieldsOf(chunkBox, 'co64'))?.chunkOffsets;
  if (!stsc || !chunks) {
    if (n > 0) report('error', 'CHUNK_TABLE_MISSING', `stbl lacks stsc or stco/co64: the offsets of its ${n} samples are unknown, so they are left out`, stbl.offset);
    return 0;
  }
  const chunkCount = chunks.length;
  const first = stsc.firstChunks;
  const perChunk = stsc.samplesPerChunk;
  let s = 0;
  for (let e = 0; e < first.length && s < n; e++) {
    const from = first[e] ?? 1;
    const to = e + 1 < first.length ? (first[e + 1] ?? chunkCount + 1) : chunkCount + 1;
    if (from < 1 || to <= from) {
      report('error', 'STSC_INVALID', `stsc entry ${e + 1}: first_chunk ${from} does not increase`, stscBox?.offset ?? stbl.offset);
      continue;
    }
    const spc = perChunk[e] ?? 0;
    const last = Math.min(to, chunkCount + 1);
    for (let c = from; c < last && s < n; c++) {
      let at = chunks[c - 1] ?? 0;
      const stop = Math.min(n, s + spc);
      for (; s < stop; s++) {
        offset[s] = at;
        at += size[s] ?? 0;
      }
    }
  }
  if (s < n) report('error', 'CHUNK_TABLE_SHORT', `stsc/stco place ${s} of ${n} samples; the other ${n - s} are left out`, chunkBox?.offset ?? stbl.offset);
  return s;
}

/**
 * Samples whose bytes run past the end of the file (a recording cut short: the moov at the front lists
 * samples that were never written), reported at the chunk offset box. They stay in the table: the moov
 * declares them.
 */
function reportDataPastEnd(stbl: Box, table: SampleTable, rows: string, dataSize: number, report: Report): void {
  let first = -1;
  let missing = 0;
  for (let s = 0; s < table.count; s++) {
    if ((table.offset[s] ?? 0) + (table.size[s] ?? 0) <= dataSize) continue;
    if (first < 0) first = s;
    missing++;
  }
  if (first < 0) return;
  const at = table.offset[first] ?? 0;
  const chunkBox = childBox(stbl, 'stco') ?? childBox(stbl, 'co64');
  report('error', 'SAMPLE_DATA_PAST_END', `${missing} of ${table.count} ${rows} (the first is number ${first + 1}, at byte ${at}) end past the end of the data (${dataSize}): the file was cut short, or its chunk offsets are wrong`, chunkBox?.offset ?? stbl.offset);
}

/** A chunk of uncompressed audio longer than this many samples makes several rows. */
const MAX_SAMPLES_PER_ROW = 1024;

/**
 * Uncompressed audio in QuickTime's layout (PCM, G.711: every sample the same size and one tick long, a
 * sample being one instant of all channels): a row per chunk, or per 1024 samples of a longer one, as
 * ffmpeg reads such tracks, instead of a row per sample, which would be 8 000 to 48 000 rows per second.
 * Undefined for any other track, or when the chunk tables are missing or do not place every sample (the
 * per-sample path reports that).
 */
function chunkRows(stbl: Box, maxSamples: number, dataSize: number): SampleTable | undefined {
  const sz = fieldsOf(childBox(stbl, 'stsz'), 'stsz');
  const stts = fieldsOf(childBox(stbl, 'stts'), 'stts');
  const stsc = fieldsOf(childBox(stbl, 'stsc'), 'stsc');
  const chunkBox = childBox(stbl, 'stco') ?? childBox(stbl, 'co64');
  const chunks = (fieldsOf(chunkBox, 'stco') ?? fieldsOf(chunkBox, 'co64'))?.chunkOffsets;
  if (!sz || sz.sampleSize === 0 || stts?.sampleDeltas.length !== 1 || stts.sampleDeltas[0] !== 1 || !stsc || !chunks) return undefined;
  const samples = sz.sampleCount;
  // A count the data cannot hold, or more rows than kept, is for the per-sample path to report and cap.
  if (samples > Math.max(UNBACKED_SAMPLES, Math.floor(dataSize / sz.sampleSize))) return undefined;
  const rows: { offset: number; samples: number }[] = [];
  let placed = 0;
  for (let e = 0; e < stsc.firstChunks.length && placed < samples; e++) {
    const to = Math.min(chunks.length + 1, stsc.firstChunks[e + 1] ?? chunks.length + 1);
    const perChunk = stsc.samplesPerChunk[e] ?? 0;
    for (let c = Math.max(1, stsc.firstChunks[e] ?? 1); c < to && placed < samples && perChunk > 0; c++) {
      const n = Math.min(perChunk, samples - placed);
      const offset = chunks[c - 1] ?? 0;
      for (let k = 0; k < n; k += MAX_SAMPLES_PER_ROW) rows.push({ offset: offset + k * sz.sampleSize, samples: Math.min(MAX_SAMPLES_PER_ROW, n - k) });
      placed += n;
      if (rows.length > maxSamples) return undefined;
    }
  }
  if (placed !== samples) return undefined;
  const count = rows.length;
  const table = { count, dts: new Float64Array(count), cto: new Int32Array(count), duration: new Uint32Array(count), size: new Uint32Array(count), offset: new Float64Array(count), sync: new Uint8Array(count).fill(1) };
  let time = 0;
  rows.forEach((row, k) => {
    table.dts[k] = time;
    table.duration[k] = row.samples;
    table.size[k] = row.samples * sz.sampleSize;
    table.offset[k] = row.offset;
    time += row.samples;
  });
  return table;
}
