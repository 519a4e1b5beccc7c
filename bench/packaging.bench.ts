/**
 * KVS Local packaging speed: how many `getMP4MediaFragment.mp4` responses (one 2 s fragment of the video
 * track, 4 Mbit/s 1280x720 H.264, repackaged from the stored MKV cluster into fMP4) KVS Local serves per
 * second over HTTP, sequentially and with 4 concurrent clients, against `ffmpeg -c copy` remuxing the same
 * cluster (cut out as a standalone MKV) into fragmented MP4, one process per fragment, in the same run.
 * KVS Local runs in-process; the clip is made with ffmpeg into bench/media/ (git-ignored).
 *
 *   npx tsx bench/packaging.bench.ts [--requests 200] [--ffmpeg-runs 40] [--repeat 5] [--no-append]
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetHLSStreamingSessionURLCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { bytesSource } from '../src/formats/byteSource';
import { readMatroska } from '../src/formats/matroska/readMatroska';
import { putMedia } from '../src/kvs/putMedia';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_REGION } from '../src/local/defaults';
import { startKvsLocalService } from '../src/local/service';

const argValue = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const REQUESTS = Number(argValue('--requests') ?? 200);
const FFMPEG_RUNS = Number(argValue('--ffmpeg-runs') ?? 40);
const REPEAT = Number(argValue('--repeat') ?? 5);
const CONCURRENCY = 4;
const CLIP = 'bench/media/packaging-720p-4mbps.mkv';
const FFMPEG_ARGS = ['-v', 'error', '-i', 'frag.mkv', '-map', '0:v', '-c', 'copy', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-'];

function makeClip(): string {
  if (!existsSync(CLIP)) {
    mkdirSync('bench/media', { recursive: true });
    // 20 s, 25 fps, 2 s GOP (50 frames, no scene cuts, no B-frames), 4 Mbit/s CBR-ish, AAC; a Cluster per GOP.
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25,noise=alls=10:allf=t',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-maxrate', '4M', '-bufsize', '4M',
      '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-bf', '0', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-cluster_time_limit', '2100', '-cluster_size_limit', '8000000',
      '-f', 'matroska', CLIP,
    ]);
  }
  return CLIP;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/** GET with a keep-alive agent; resolves with the body length (the body is read in full). */
function get(agent: Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: Number(url.port), path: url.pathname + url.search }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(length) : reject(new Error(`HTTP ${res.statusCode} for ${url.pathname}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Fragments per second of `clients` clients each fetching `total / clients` times in a row. */
async function serveRate(url: URL, total: number, clients: number): Promise<number> {
  const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    await Promise.all(agents.map((agent) => get(agent, url))); // connect
    const per = Math.ceil(total / clients);
    const start = performance.now();
    await Promise.all(
      agents.map(async (agent) => {
        for (let i = 0; i < per; i++) await get(agent, url);
      }),
    );
    return (per * clients * 1000) / (performance.now() - start);
  } finally {
    agents.forEach((agent) => agent.destroy());
  }
}

const childEnv = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
})();

/** One ffmpeg remux of frag.mkv in `dir` to fMP4 on a pipe; resolves with the output length. */
function ffmpegOnce(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', FFMPEG_ARGS, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let length = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (length += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && !stderr.trim() ? resolve(length) : reject(new Error(`ffmpeg exited ${code}: ${stderr}`))));
  });
}

/** Remuxes per second with `clients` processes at a time, `total / clients` each in a row. */
async function ffmpegRate(dir: string, total: number, clients: number): Promise<{ rate: number; msPer: number }> {
  const per = Math.ceil(total / clients);
  const times: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < per; i++) {
        const t = performance.now();
        await ffmpegOnce(dir);
        times.push(performance.now() - t);
      }
    }),
  );
  return { rate: (per * clients * 1000) / (performance.now() - start), msPer: median(times) };
}

/** The MKV header with the Segment's size made 'unknown' (same length), so one Cluster after it is a whole file. */
function unknownSizeSegment(header: Uint8Array): Uint8Array {
  const copy = Buffer.from(header);
  const at = copy.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
  const first = copy[at + 4] ?? 0;
  if (at < 0 || first === 0) throw new Error('no Segment in the MKV header');
  const length = Math.clz32(first) - 23; // leading zeros of the byte, plus one
  copy[at + 4] = 0xff >> (length - 1);
  copy.fill(0xff, at + 5, at + 4 + length);
  return copy;
}

async function main(): Promise<void> {
  const file = new Uint8Array(readFileSync(makeClip()));
  const clusters = readMatroska(bytesSource(file), { blocks: false }).clusters;
  const header = file.subarray(0, clusters[0]?.offset ?? 0);
  const dataDir = mkdtempSync(join(tmpdir(), 'kvs-packaging-bench-'));
  const ffmpegDir = mkdtempSync(join(tmpdir(), 'kvs-packaging-ffmpeg-'));
  const service = await startKvsLocalService({ host: '127.0.0.1', port: 0, dataDir, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, streamTransitionDelayMs: 0, throttle: { scale: 100 } });
  const config = { region: DEFAULT_LOCAL_REGION, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, endpoint: service.url };
  const control = new KinesisVideoClient(config);
  try {
    await control.send(new CreateStreamCommand({ StreamName: 'bench', DataRetentionInHours: 24 }));
    const startMs = Date.now() - 60_000;
    const put = await putMedia({
      endpoint: service.url,
      region: DEFAULT_LOCAL_REGION,
      credentials: { ...DEFAULT_LOCAL_CREDENTIALS },
      streamName: 'bench',
      timecodeType: 'RELATIVE',
      producerStartTimestampMs: startMs,
      body: (async function* () {
        yield file;
      })(),
    });
    if ((put.counts.ERROR ?? 0) > 0 || (put.counts.PERSISTED ?? 0) !== clusters.length) throw new Error(`upload: ${JSON.stringify(put.counts)} for ${clusters.length} clusters`);

    const endpoint = (await control.send(new GetDataEndpointCommand({ StreamName: 'bench', APIName: 'GET_HLS_STREAMING_SESSION_URL' }))).DataEndpoint ?? '';
    const archived = new KinesisVideoArchivedMediaClient({ ...config, endpoint });
    const session = (
      await archived.send(
        new GetHLSStreamingSessionURLCommand({
          StreamName: 'bench',
          PlaybackMode: 'ON_DEMAND',
          ContainerFormat: 'FRAGMENTED_MP4',
          HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(startMs - 1000), EndTimestamp: new Date(startMs + 60_000) } },
        }),
      )
    ).HLSStreamingSessionURL ?? '';
    archived.destroy();
    const master = await (await fetch(session)).text();
    const videoPlaylistPath = master.split('\n').find((line) => line.startsWith('getHLSMediaPlaylist')) ?? '';
    const playlist = await (await fetch(new URL(videoPlaylistPath, session))).text();
    const fragments = playlist.split('\n').filter((line) => line.startsWith('getMP4MediaFragment.mp4'));
    if (fragments.length !== clusters.length) throw new Error(`${fragments.length} fragments in the playlist for ${clusters.length} clusters`);
    const index = Math.floor(fragments.length / 2);
    const fragmentUrl = new URL(fragments[index] ?? '', session);
    const cluster = clusters[index];
    if (!cluster) throw new Error('no cluster');
    writeFileSync(join(ffmpegDir, 'frag.mkv'), Buffer.concat([unknownSizeSegment(header), file.subarray(cluster.offset, cluster.end)]));

    const ourBytes = await get(new Agent(), fragmentUrl);
    const ffmpegBytes = await ffmpegOnce(ffmpegDir);
    const clusterBytes = cluster.end - cluster.offset;
    console.error(`clip: ${clusters.length} clusters; fragment ${index}: cluster ${clusterBytes} B, getMP4MediaFragment ${ourBytes} B, ffmpeg ${ffmpegBytes} B`);

    const rows = { seq: [] as number[], conc: [] as number[], ffSeq: [] as number[], ffConc: [] as number[], ffMs: [] as number[] };
    for (let round = 0; round < REPEAT; round++) {
      rows.seq.push(await serveRate(fragmentUrl, REQUESTS, 1));
      rows.conc.push(await serveRate(fragmentUrl, REQUESTS, CONCURRENCY));
      const seq = await ffmpegRate(ffmpegDir, FFMPEG_RUNS, 1);
      rows.ffSeq.push(seq.rate);
      rows.ffMs.push(seq.msPer);
      rows.ffConc.push((await ffmpegRate(ffmpegDir, FFMPEG_RUNS, CONCURRENCY)).rate);
      console.error(`round ${round + 1}/${REPEAT}: ours ${rows.seq.at(-1)?.toFixed(0)} / ${rows.conc.at(-1)?.toFixed(0)} frag/s, ffmpeg ${rows.ffSeq.at(-1)?.toFixed(1)} / ${rows.ffConc.at(-1)?.toFixed(1)} frag/s`);
    }
    const fmt = (values: number[]) => `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
    const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(0)}×`;
    const table = [
      '| Packager | 1 client: fragments/s | 4 concurrent: fragments/s | per fragment (1 client) |',
      '|---|---|---|---|',
      `| KVS Local \`getMP4MediaFragment.mp4\` over HTTP (keep-alive, in-process server) | ${fmt(rows.seq)} | ${fmt(rows.conc)} | ${(1000 / median(rows.seq)).toFixed(2)} ms |`,
      `| \`ffmpeg -c copy\` MKV cluster → fMP4 (one process per fragment) | ${fmt(rows.ffSeq)} | ${fmt(rows.ffConc)} | ${median(rows.ffMs).toFixed(1)} ms |`,
      `| KVS Local / ffmpeg | ${ratio(rows.seq, rows.ffSeq)} | ${ratio(rows.conc, rows.ffConc)} | |`,
    ].join('\n');
    const command = `npx tsx bench/packaging.bench.ts --requests ${REQUESTS} --ffmpeg-runs ${FFMPEG_RUNS} --repeat ${REPEAT}`;
    const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
    const report = [
      `Fragment ${index} of ${clusters.length} (2 s, 1280x720 H.264 4 Mbit/s, video track): MKV cluster ${clusterBytes} B (with audio), getMP4MediaFragment ${ourBytes} B, ffmpeg output ${ffmpegBytes} B.`,
      `Median of ${REPEAT} rounds (min–max); each round ${REQUESTS} HTTP requests per row and ${FFMPEG_RUNS} ffmpeg runs per row. ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${ffmpegVersion}.`,
      '',
      table,
    ].join('\n');
    console.log(report);
    if (!process.argv.includes('--no-append')) {
      const section = [
        '',
        '## KVS Local: packaging getMP4MediaFragment',
        '',
        'How fast KVS Local repackages a stored MKV fragment into the fMP4 media segment an HLS player',
        'fetches (`getMP4MediaFragment.mp4` of an HLS fMP4 ON_DEMAND session, video track), against',
        '`ffmpeg -c copy` remuxing the same cluster. The clip (`bench/media/packaging-720p-4mbps.mkv`, made',
        'by the benchmark with ffmpeg: 20 s, 1280x720 25 fps H.264 at 4 Mbit/s with a 2 s GOP and no',
        'B-frames, AAC, one Cluster per GOP) is uploaded through PutMedia into KVS Local running in the',
        "benchmark's process; the session URL comes from the SDK. One middle fragment is then fetched over",
        'HTTP with keep-alive connections, by 1 client and by 4 concurrent clients, each fetching in a row.',
        'ffmpeg gets the same Cluster cut out as a standalone MKV (the file header plus that Cluster) and',
        'runs `ffmpeg -v error -i frag.mkv -map 0:v -c copy -f mp4 -movflags',
        'frag_keyframe+empty_moov+default_base_moof -` to a pipe, one process per fragment (1 at a time, or',
        '4 at a time), timed around the child; its environment drops `NODE_EXTRA_CA_CERTS` and',
        '`NODE_OPTIONS`. ffmpeg pays process start-up and probing for each fragment, which is what a',
        'remux-per-request packager would pay; KVS Local pays HTTP and reading the fragment from its store.',
        '',
        `Run ${new Date().toISOString()}:`,
        '',
        '```sh',
        command,
        '```',
        '',
        report,
        '',
      ].join('\n');
      appendFileSync('docs/benchmarks.md', section);
      console.error('appended to docs/benchmarks.md');
    }
  } finally {
    control.destroy();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(ffmpegDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
