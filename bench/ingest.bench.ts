/**
 * KVS Local ingest throughput: how many real-time 2 Mbit/s producers one KVS Local process sustains with
 * the PERSISTED acknowledgement p99 under 100 ms (time from the last byte of a cluster leaving the
 * producer to its PERSISTED ack). Each producer streams a 1 s-GOP MKV into its own stream through a real
 * PutMedia connection, pacing clusters by their timecodes. KVS Local runs as its own process
 * (`node dist/cli/kvs-local.js`; run `npm run build` first).
 *
 *   npx tsx bench/ingest.bench.ts [--seconds 20] [--producers 4,8,16,24,32]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { bytesSource } from '../src/formats/byteSource';
import { readMatroska } from '../src/formats/matroska/readMatroska';
import { putMedia } from '../src/kvs/putMedia';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_REGION } from '../src/local/defaults';

const TARGET_P99_MS = 100;
const argValue = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const seconds = Number(argValue('--seconds') ?? 20);
const producerCounts = (argValue('--producers') ?? '4,8,16,24,32,48').split(',').map(Number);

function makeClip(): string {
  const path = 'bench/media/ingest-2mbps.mkv';
  if (!existsSync(path)) {
    mkdirSync('bench/media', { recursive: true });
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25,noise=alls=8:allf=t', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '2M', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-bf', '0', '-f', 'matroska', path]);
  }
  return path;
}

interface Clip {
  header: Uint8Array;
  clusters: { bytes: Uint8Array; timeMs: number; timecode: number }[];
}

function loadClip(path: string): Clip {
  const bytes = new Uint8Array(readFileSync(path));
  const clusters = readMatroska(bytesSource(bytes), { blocks: false }).clusters;
  return {
    header: bytes.subarray(0, clusters[0]?.offset ?? 0),
    clusters: clusters.map((cluster) => ({ bytes: bytes.subarray(cluster.offset, cluster.end), timeMs: cluster.timeMs ?? 0, timecode: cluster.timecode ?? 0 })),
  };
}

async function startServer(dataDir: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['dist/cli/kvs-local.js', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /KVS Local listening on (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kvs-local exited ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** One producer: sends the clip's clusters in real time; returns each cluster's send→PERSISTED latency. */
async function produce(url: string, stream: string, clip: Clip, durationMs: number): Promise<{ latencies: number[]; errors: number }> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let errors = 0;
  const clusters = clip.clusters.filter((cluster) => cluster.timeMs < durationMs);
  async function* body() {
    yield clip.header;
    const start = performance.now();
    for (const cluster of clusters) {
      const due = start + cluster.timeMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      yield cluster.bytes;
      sentAt.set(cluster.timecode, performance.now());
    }
  }
  await putMedia({
    endpoint: url,
    region: DEFAULT_LOCAL_REGION,
    credentials: { ...DEFAULT_LOCAL_CREDENTIALS },
    streamName: stream,
    timecodeType: 'RELATIVE',
    body: body(),
    onAck: (ack) => {
      if (ack.eventType === 'ERROR') errors++;
      const sent = ack.fragmentTimecode === undefined ? undefined : sentAt.get(ack.fragmentTimecode);
      if (ack.eventType === 'PERSISTED' && sent !== undefined) latencies.push(performance.now() - sent);
    },
  });
  return { latencies, errors };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

async function main(): Promise<void> {
  const clip = loadClip(makeClip());
  const rows: string[] = [];
  let sustained = 0;
  for (const producers of producerCounts) {
    const dataDir = mkdtempSync(join(tmpdir(), 'kvs-ingest-bench-'));
    const server = await startServer(dataDir);
    try {
      const control = new KinesisVideoClient({ region: DEFAULT_LOCAL_REGION, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, endpoint: server.url });
      for (let i = 0; i < producers; i++) await control.send(new CreateStreamCommand({ StreamName: `cam-${i}`, DataRetentionInHours: 1 }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const results = await Promise.all(
        Array.from({ length: producers }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, (i * 1000) / producers)); // spread over one GOP
          return produce(server.url, `cam-${i}`, clip, seconds * 1000);
        }),
      );
      const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
      const errors = results.reduce((total, result) => total + result.errors, 0);
      const p50 = percentile(latencies, 0.5);
      const p99 = percentile(latencies, 0.99);
      const met = p99 < TARGET_P99_MS && errors === 0;
      if (met) sustained = producers;
      rows.push(`| ${producers} | ${(producers * 2).toFixed(0)} Mbit/s | ${latencies.length} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms | ${percentile(latencies, 1).toFixed(1)} ms | ${errors} | ${met ? 'yes' : 'no'} |`);
      console.error(rows.at(-1));
      control.destroy();
      if (!met) break;
    } finally {
      server.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`Ingest into one KVS Local process, ${seconds} s per run, 1 fragment/s per producer (${new Date().toISOString()}):\n`);
  console.log('| Producers | Total | Fragments | PERSISTED p50 | p99 | max | Errors | p99 < 100 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\nSustained: ${sustained} real-time 2 Mbit/s producers with PERSISTED p99 < ${TARGET_P99_MS} ms.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
