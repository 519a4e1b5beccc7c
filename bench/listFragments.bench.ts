// ListFragments scaling of the KVS Local fragment store (src/local/storage/).
//
//   npx tsx bench/listFragments.bench.ts [--reps N] [--keep DIR]
//
// Builds a store with 1,000 fragments (append(), one fdatasync each) and one with 1,000,000 fragments
// (appendMany() in batches of 10,000: the same on-disk format, one fdatasync per batch), with tiny
// clusters. Producer clocks drift and jump back every 250,000 fragments (a producer restart), so the
// producer-time index is not just append order. Then it reopens the large store (timed: that is the
// index load), and times 1000-fragment pages — as ListFragments asks for them — by SERVER_TIMESTAMP
// and PRODUCER_TIMESTAMP in the middle of each store, plus get() and after(). Median and p90 over
// N repetitions (default 3000), the two stores alternating; pages of the large store start at varying
// places in its middle half.
// Prints a Markdown report for docs/benchmarks.md; progress goes to stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FragmentStore } from '../src/local/storage/fragmentStore';
import type { AppendItem, AppendMeta, TimestampKind } from '../src/local/storage/fragmentStore';

const PAGE = 1000;
const SMALL = 1_000;
const LARGE = 1_000_000;
const BATCH = 10_000;
const START_MS = Date.UTC(2026, 0, 1);

function parseOptions(argv: readonly string[]): { reps: number; keep: string | undefined } {
  const options = { reps: 3000, keep: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--reps' && value !== undefined) {
      options.reps = Math.max(10, Number.parseInt(value, 10) || 10);
      i++;
    } else if (argv[i] === '--keep' && value !== undefined) {
      options.keep = value;
      i++;
    } else {
      process.stderr.write('usage: npx tsx bench/listFragments.bench.ts [--reps N] [--keep DIR]\n');
      process.exit(2);
    }
  }
  return options;
}

/** Fragment i: 2 s long; the producer clock runs 1 h behind, drifts, and steps back 10 min every 250k. */
function metaOf(i: number): AppendMeta {
  const serverTimestampMs = START_MS + i * 2000 + (i % 7);
  const restarts = Math.floor(i / 250_000);
  return {
    serverTimestampMs,
    producerTimestampMs: serverTimestampMs - 3_600_000 - restarts * 600_000 + (i % 13),
    durationMs: 2000,
    clusterTimecode: (i % 250_000) * 2000,
    trackNumbers: [1, 2],
  };
}

const HEADER = new Uint8Array(200).fill(0x42);
const CLUSTER = new Uint8Array(32).fill(0x1f);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function time(body: () => void): number {
  const start = performance.now();
  body();
  return performance.now() - start;
}

interface Timing {
  median: number;
  p90: number;
}

function stats(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p90: at(0.9) };
}

function build(dir: string, count: number, bulk: boolean): { ms: number; appendMedianMs?: number } {
  const store = FragmentStore.open(dir);
  const appendTimes: number[] = [];
  const ms = time(() => {
    if (!bulk) {
      for (let i = 0; i < count; i++) appendTimes.push(time(() => store.append(HEADER, CLUSTER, metaOf(i))));
      return;
    }
    for (let i = 0; i < count; i += BATCH) {
      const items: AppendItem[] = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) items.push({ cluster: CLUSTER, meta: metaOf(j) });
      store.appendMany(HEADER, items);
      if ((i / BATCH) % 20 === 19) log(`  ${i + BATCH} fragments`);
    }
  });
  store.close();
  return bulk ? { ms } : { ms, appendMedianMs: stats(appendTimes).median };
}

type Operation = 'server' | 'producer' | 'get' | 'after';
const OPERATIONS: Operation[] = ['server', 'producer', 'get', 'after'];

/** One operation on one store; k varies the place (pages start in the middle of the store). */
function operations(store: FragmentStore, count: number): Record<Operation, (k: number) => void> {
  // Page starts: the only full page of the small store; varying places in the middle half of the large one.
  const starts = count <= PAGE ? [0] : Array.from({ length: 64 }, (_, k) => Math.floor(count / 4 + (k * (count / 2 - PAGE)) / 64));
  const page = (kind: TimestampKind, k: number): void => {
    const first = starts[k % starts.length] ?? 0;
    const meta = metaOf(first);
    const startMs = kind === 'SERVER_TIMESTAMP' ? meta.serverTimestampMs : meta.producerTimestampMs;
    // The window holds more than PAGE fragments when there are that many, so the page is full.
    const result = store.range(kind, startMs, startMs + (PAGE + 10) * 2000, PAGE);
    if (result.records.length !== Math.min(PAGE, count)) throw new Error(`page of ${result.records.length}`);
  };
  // Fragment numbers spread over the store (sequence numbers are 1..count: nothing was pruned).
  const numbers = Array.from({ length: 256 }, (_, k) => store.fragmentNumberPrefix + String(1 + Math.floor((k * (count - 1)) / 256)).padStart(20, '0'));
  return {
    server: (k) => page('SERVER_TIMESTAMP', k),
    producer: (k) => page('PRODUCER_TIMESTAMP', k),
    get: (k) => {
      if (store.get(numbers[k % numbers.length] ?? '') === undefined) throw new Error('get');
    },
    after: (k) => {
      const from = count <= PAGE ? undefined : numbers[(k % (numbers.length / 2)) + numbers.length / 4];
      if (store.after(from, PAGE).length !== Math.min(PAGE, count)) throw new Error('after');
    },
  };
}

/**
 * Times each operation on both stores, alternating small and large repetition by repetition, so that
 * both see the same machine (other load, GC, JIT state) and the ratio is fair.
 */
function measure(small: FragmentStore, large: FragmentStore, reps: number): Record<Operation, [Timing, Timing]> {
  const a = operations(small, SMALL);
  const b = operations(large, LARGE);
  const result = {} as Record<Operation, [Timing, Timing]>;
  for (const op of OPERATIONS) {
    for (let k = 0; k < Math.min(300, reps); k++) {
      a[op](k);
      b[op](k);
    }
    const sa: number[] = [];
    const sb: number[] = [];
    for (let k = 0; k < reps; k++) {
      sa.push(time(() => a[op](k)));
      sb.push(time(() => b[op](k)));
    }
    result[op] = [stats(sa), stats(sb)];
  }
  return result;
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const root = options.keep ?? mkdtempSync(join(tmpdir(), 'kvs-listfragments-'));
  try {
    log(`building ${SMALL} fragments with append() (fdatasync each)…`);
    const small = build(join(root, 'small'), SMALL, false);
    log(`building ${LARGE} fragments with appendMany() in batches of ${BATCH}…`);
    const large = build(join(root, 'large'), LARGE, true);

    log('reopening…');
    let smallStore: FragmentStore | undefined;
    let largeStore: FragmentStore | undefined;
    const reopenSmallMs = time(() => (smallStore = FragmentStore.open(join(root, 'small'))));
    const reopenLargeMs = time(() => (largeStore = FragmentStore.open(join(root, 'large'))));
    if (smallStore === undefined || largeStore === undefined) throw new Error('open');
    largeStore.close();
    const reopenLargeAgainMs = time(() => (largeStore = FragmentStore.open(join(root, 'large'))));
    const largeStats = largeStore.stats();

    log(`timing ${options.reps} repetitions per case…`);
    const t = measure(smallStore, largeStore, options.reps);
    smallStore.close();
    largeStore.close();

    const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
    const ratio = (a: number, b: number): string => `${(b / a).toFixed(2)}×`;
    const row = (name: string, [a, b]: [Timing, Timing], target: boolean): string =>
      `| ${name} | ${us(a.median)} (p90 ${us(a.p90)}) | ${us(b.median)} (p90 ${us(b.p90)}) | ${ratio(a.median, b.median)} | ${target ? (b.median / a.median <= 2 ? 'met (≤ 2×)' : 'NOT met (> 2×)') : '—'} |`;
    const lines = [
      `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Linux ${release()}, Node ${process.version}; ${options.reps} repetitions per case, median (p90).`,
      '',
      '| Operation | 1,000 fragments | 1,000,000 fragments | Ratio | Target |',
      '|---|---|---|---|---|',
      row('ListFragments page of 1000, SERVER_TIMESTAMP', t.server, true),
      row('ListFragments page of 1000, PRODUCER_TIMESTAMP', t.producer, true),
      row('get(fragmentNumber)', t.get, false),
      row('after(fragmentNumber, 1000) (GetMedia)', t.after, false),
      '',
      `- Reopen (torn-tail check + index load) of the 1,000,000-fragment store: ${reopenLargeMs.toFixed(0)} ms (again: ${reopenLargeAgainMs.toFixed(0)} ms); of the 1,000-fragment store: ${reopenSmallMs.toFixed(1)} ms.`,
      `- In-memory index of 1,000,000 fragments: ${(largeStats.indexMemoryBytes / 1e6).toFixed(1)} MB (column capacity); data on disk ${(largeStats.dataBytes / 1e6).toFixed(1)} MB in ${largeStats.segments} segment(s) with ${CLUSTER.length}-byte clusters.`,
      `- Building: 1,000 × append() with fdatasync ${small.ms.toFixed(0)} ms (median append ${((small.appendMedianMs ?? 0) * 1000).toFixed(0)} µs); 1,000,000 × appendMany() ${(large.ms / 1000).toFixed(1)} s.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (options.keep === undefined) rmSync(root, { recursive: true, force: true });
  }
}

main();
