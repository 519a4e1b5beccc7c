// Speed benchmark of the media inspector against the named tools, in one run, side by side.
//
//   npx tsx bench/inspect.bench.ts [--runs N] [--only mkv|mp4] [--wait-quiet SECONDS] [--experiments]
//
// Makes the media if missing (bench/make-media.sh), bundles bench/walk.ts with esbuild (so the timed
// process is plain node, not tsx), reads each file once to warm the page cache, runs every tool once
// untimed to check that the counts agree, then runs every tool N times (default 3) under /usr/bin/time
// with its output to /dev/null, and prints a Markdown report (median wall time, CPU time, peak RSS,
// ratios, targets met or not) for docs/benchmarks.md. Progress goes to stderr. --experiments adds rows
// for our walker reading through a fixed 64 KiB window, as FileSource did before it adapted its reads
// to the reading (not a target row).
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');
const WALK_OUT = 'bench/.build/walk.cjs';
/** Where our walker and the CLI keep V8's code cache (src/cli/launcher.ts), written by the untimed count run. */
const CODE_CACHE_HOME = join(ROOT, 'bench/.build/cache');
const CLI = 'dist/cli/kvs-inspect.js';
/** The Node options our bin files (walk.cjs too) run with: what their `#!` line, the launcher's first, gives node. */
const OUR_NODE_OPTIONS = (readFileSync(join(ROOT, 'src/cli/launcher.ts'), 'utf8').split('\n', 1)[0] ?? '')
  .replace(/^#!.*?\bnode\b/, '')
  .split(/\s+/)
  .filter(Boolean);
const RSS_LIMIT_BYTES = 150e6;

// ---------------------------------------------------------------------------------------------------
// Options

interface Options {
  runs: number;
  only: 'mkv' | 'mp4' | undefined;
  /** Longest wait, before each timed run, for the machine to be quiet (seconds). */
  waitQuiet: number;
  /** Also time our walker with a fixed 64 KiB read window. */
  experiments: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { runs: 3, only: undefined, waitQuiet: 20, experiments: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--runs' && value !== undefined) {
      options.runs = Math.max(1, Number.parseInt(value, 10) || 1);
      i++;
    } else if (arg === '--only' && (value === 'mkv' || value === 'mp4')) {
      options.only = value;
      i++;
    } else if (arg === '--experiments') {
      options.experiments = true;
    } else if (arg === '--wait-quiet' && value !== undefined) {
      options.waitQuiet = Math.max(0, Number(value) || 0);
      i++;
    } else {
      process.stderr.write('usage: npx tsx bench/inspect.bench.ts [--runs N] [--only mkv|mp4] [--wait-quiet SECONDS] [--experiments]\n');
      process.exit(2);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------
// Tools and what they count

/** What one untimed run of a tool reported, for the count check. */
interface Counts {
  /** Blocks (MKV) or samples (MP4) in all. */
  units?: number;
  /** The same per track / stream, in track order. */
  perTrack?: number[];
  /** MKV element headers listed (mkvinfo) or counted (ours, full tree, CRC-32 elements left out). */
  elements?: number;
  /** Clusters (MKV) or moofs (MP4). */
  groups?: number;
  /** Other facts worth a line in the report. */
  note?: string;
}

interface Tool {
  id: string;
  label: string;
  /** Command and arguments, run in the repository root. */
  argv: string[];
  /** Parses the tool's complete output (the untimed check run) as lines. */
  makeCounter: () => LineCounter;
  /** The target (tool time ÷ our time) from the issue, if any. */
  target?: number;
  /** Not a baseline: our own entry points. */
  ours?: boolean;
  /** Why the tool is not run. */
  skip?: string;
  /**
   * Prints one line of JSON with `parseMs`, its parse timed inside the process (from opening the file to
   * the counts): the timed runs read it from stdout instead of sending stdout to /dev/null.
   */
  parseTime?: boolean;
}

interface LineCounter {
  line(text: string): void;
  end(): Counts;
}

/** Collects the whole output and parses it as one JSON value. */
function jsonCounter(read: (value: Record<string, unknown>) => Counts): () => LineCounter {
  return () => {
    const lines: string[] = [];
    return {
      line: (text) => lines.push(text),
      end: () => read(JSON.parse(lines.join('\n')) as Record<string, unknown>),
    };
  };
}

function perTrackOf(value: unknown): number[] | undefined {
  if (!value || typeof value !== 'object') return undefined;
  return Object.entries(value as Record<string, number>)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, n]) => n);
}

const oursCounter = jsonCounter((v) => {
  const counts: Counts = { units: Number(v.format === 'mkv' ? v.blocks : v.samples), groups: Number(v.format === 'mkv' ? v.clusters : v.moofs) };
  const perTrack = perTrackOf(v.perTrack);
  if (perTrack) counts.perTrack = perTrack;
  if (v.format === 'mkv' && v.tree === 'full') counts.elements = Number(v.elements) - Number(v.crc32Elements);
  counts.note = v.format === 'mkv'
    ? `${String(v.elements)} elements in the tree (${String(v.crc32Elements)} CRC-32), ${String(v.issues)} issues`
    : `${String(v.boxes)} boxes, ${String(v.issues)} issues`;
  return counts;
});

const mp4boxCounter = jsonCounter((v) => ({ units: Number(v.samples), groups: Number(v.moofs) }));

/** `ffprobe -show_packets`: one [PACKET] section per packet, with its stream_index. */
function ffprobeCounter(): LineCounter {
  let packets = 0;
  const perStream: number[] = [];
  return {
    line(text) {
      if (text === '[PACKET]') packets++;
      else if (text.startsWith('stream_index=')) {
        const index = Number(text.slice(13));
        perStream[index] = (perStream[index] ?? 0) + 1;
      }
    },
    end: () => ({ units: packets, perTrack: Array.from(perStream, (n) => n ?? 0) }),
  };
}

/** `mkvinfo -a`: one line per element ("|  + Name: value"), plus a "Frame with size" line per frame. */
function mkvinfoCounter(): LineCounter {
  let elements = 0;
  let blocks = 0;
  let clusters = 0;
  const perTrack = new Map<number, number>();
  const blockLine = /^\| *\+ (?:Simple block|Block): .*track number (\d+)/;
  return {
    line(text) {
      if (!/^\|? *\+ /.test(text) || text.includes('+ Frame with size')) return;
      elements++;
      const block = blockLine.exec(text);
      if (block) {
        blocks++;
        const track = Number(block[1]);
        perTrack.set(track, (perTrack.get(track) ?? 0) + 1);
      } else if (text === '|+ Cluster') clusters++;
    },
    end: () => ({
      units: blocks,
      elements,
      groups: clusters,
      perTrack: [...perTrack].sort((a, b) => a[0] - b[0]).map(([, n]) => n),
    }),
  };
}

/** `kvs-inspect --json --frames`: the schema is the CLI's own; report its size and longest array. */
function cliCounter(): LineCounter {
  let bytes = 0;
  const lines: string[] = [];
  return {
    line(text) {
      bytes += text.length + 1;
      lines.push(text);
    },
    end() {
      let longest = 0;
      const visit = (value: unknown): void => {
        if (Array.isArray(value)) {
          longest = Math.max(longest, value.length);
          for (const item of value) if (item && typeof item === 'object') visit(item);
        } else if (value && typeof value === 'object') {
          for (const item of Object.values(value)) if (item && typeof item === 'object') visit(item);
        }
      };
      try {
        visit(JSON.parse(lines.join('\n')));
        return { note: `${(bytes / 1e6).toFixed(1)} MB of JSON; longest array ${longest}` };
      } catch {
        return { note: `${(bytes / 1e6).toFixed(1)} MB of output that is not one JSON value` };
      }
    },
  };
}

interface MediaFile {
  kind: 'mkv' | 'mp4';
  title: string;
  path: string;
  tools: Tool[];
}

function mediaFiles(cliSkip: string | undefined, experiments: boolean): MediaFile[] {
  const mkv = 'bench/media/big-720p.mkv';
  const mp4 = 'bench/media/big-720p-frag.mp4';
  const cli = (file: string): Tool => ({
    id: 'cli',
    label: 'kvs-inspect CLI',
    argv: [CLI, '--json', '--frames', file],
    makeCounter: cliCounter,
    ours: true,
    ...(cliSkip ? { skip: cliSkip } : {}),
  });
  const cliTree = (file: string): Tool => ({ ...cli(file), id: 'cli-tree', label: 'kvs-inspect CLI --tree', argv: [CLI, '--json', '--tree', file] });
  const experimentRows = (file: string): Tool[] =>
    experiments
      ? [{ id: 'ours-64k', label: 'ours, fixed 64 KiB read window (experiment)', argv: [WALK_OUT, file, '--window', '65536'], makeCounter: oursCounter, ours: true }]
      : [];
  return [
    {
      kind: 'mkv',
      title: 'MKV',
      path: mkv,
      tools: [
        { id: 'ours', label: 'ours (walk.cjs)', argv: [WALK_OUT, mkv], makeCounter: oursCounter, ours: true, parseTime: true },
        { id: 'ours-full', label: 'ours, cluster children in the tree too', argv: [WALK_OUT, mkv, '--tree', 'full'], makeCounter: oursCounter, ours: true, parseTime: true },
        ...experimentRows(mkv),
        cli(mkv),
        cliTree(mkv),
        { id: 'mkvinfo', label: 'mkvinfo -a', argv: ['mkvinfo', '-a', mkv], makeCounter: mkvinfoCounter, target: 20 },
        { id: 'ffprobe', label: 'ffprobe -show_packets', argv: ['ffprobe', '-v', 'error', '-show_packets', mkv], makeCounter: ffprobeCounter, target: 5 },
      ],
    },
    {
      kind: 'mp4',
      title: 'Fragmented MP4',
      path: mp4,
      tools: [
        { id: 'ours', label: 'ours (walk.cjs)', argv: [WALK_OUT, mp4], makeCounter: oursCounter, ours: true, parseTime: true },
        { id: 'ours-full', label: 'ours, moof children in the tree too', argv: [WALK_OUT, mp4, '--tree', 'full'], makeCounter: oursCounter, ours: true, parseTime: true },
        ...experimentRows(mp4),
        cli(mp4),
        cliTree(mp4),
        { id: 'mp4box', label: 'mp4box.js', argv: ['node', 'bench/mp4box-walk.mjs', mp4], makeCounter: mp4boxCounter, target: 10, parseTime: true },
        // With the Node option our bin files run with (their `#!` line), so neither side gets what the other lacks.
        { id: 'mp4box-pool', label: 'mp4box.js, with our Node option', argv: ['node', ...OUR_NODE_OPTIONS, 'bench/mp4box-walk.mjs', mp4], makeCounter: mp4boxCounter, target: 10, parseTime: true },
        { id: 'ffprobe', label: 'ffprobe -show_packets', argv: ['ffprobe', '-v', 'error', '-show_packets', mp4], makeCounter: ffprobeCounter, target: 10 },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Running

/**
 * The children's environment. NODE_EXTRA_CA_CERTS is dropped: Node 20 loads those certificates at
 * start-up (about 80 ms on the reference machine, where the sandbox sets it), which has nothing to do
 * with parsing and would be charged to every node-based tool. NODE_OPTIONS is dropped so that no
 * loader (tsx) reaches the timed processes. Our walker and the CLI keep their code cache in
 * bench/.build/cache, written by their untimed count run, and read by the timed runs.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  env.XDG_CACHE_HOME = CODE_CACHE_HOME;
  return env;
}

/** Runs a tool once with its output read line by line (the untimed count check). */
function runCounting(tool: Tool): Promise<{ counts?: Counts; error?: string }> {
  return new Promise((resolve) => {
    const [command = '', ...args] = tool.argv;
    const child = spawn(command, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const counter = tool.makeCounter();
    let carry = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) counter.line(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      if (carry) counter.line(carry);
      if (code !== 0) {
        resolve({ error: `exit ${String(code)}${stderr ? `: ${stderr.trim().split('\n').at(-1) ?? ''}` : ''}` });
        return;
      }
      try {
        resolve({ counts: counter.end() });
      } catch (error) {
        resolve({ error: `unreadable output: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
  });
}

interface Sample {
  wall: number;
  cpu: number;
  rssBytes: number;
  /** Share of the machine's CPUs busy with other work during the run (all busy time minus the tool's). */
  otherBusy: number;
  /** The parse timed inside the process, in ms (tools with `parseTime`). */
  parseMs?: number;
}

/**
 * Runs a tool once under /usr/bin/time, output to /dev/null (or, with `parseTime`, its one line read
 * here); wall time measured here.
 */
function runTimed(tool: Tool, timeFile: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const statBefore = cpuTimes();
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...tool.argv], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['ignore', tool.parseTime ? 'pipe' : devNull, 'pipe'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error) => {
      closeSync(devNull);
      reject(error);
    });
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const statAfter = cpuTimes();
      closeSync(devNull);
      if (code !== 0) {
        reject(new Error(`${tool.argv.join(' ')} exited with ${String(code)}: ${stderr.trim()}`));
        return;
      }
      const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
      const [, user = NaN, sys = NaN, maxRssKiB = NaN] = fields;
      const cpu = user + sys;
      const busySeconds = (statAfter.busy - statBefore.busy) / CLOCK_TICKS;
      const otherBusy = Math.max(0, (busySeconds - cpu) / (availableParallelism() * wall));
      const sample: Sample = { wall, cpu, rssBytes: maxRssKiB * 1024, otherBusy };
      if (tool.parseTime) sample.parseMs = Number((JSON.parse(stdout) as { parseMs?: unknown }).parseMs);
      resolve(sample);
    });
  });
}

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** Busy and total CPU time of the whole machine so far, in clock ticks (from /proc/stat). */
function cpuTimes(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** Share of all CPUs busy over the next `ms` milliseconds. */
async function cpuBusy(ms: number): Promise<number> {
  const a = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTimes();
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

/** Other work above this share of the CPUs makes a machine "busy". */
const QUIET = 0.2;

/** Waits (up to `maxSeconds`) until under 20 % of the CPUs are busy. */
async function waitForQuiet(maxSeconds: number): Promise<void> {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = await cpuBusy(300);
  while (busy >= QUIET && Date.now() < deadline) busy = await cpuBusy(1000);
}

/** Reads a whole file once (8 MiB at a time) so every tool starts from a warm page cache. */
function warmUp(path: string): number {
  const started = process.hrtime.bigint();
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(8 << 20);
  let offset = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    if (n <= 0) break;
    offset += n;
  }
  closeSync(fd);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: childEnv() });
  return (result.stdout || result.stderr || '').trim().split('\n')[0] ?? '';
}

/** The commit measured, and whether src/ or bench/ had changes not committed yet. */
function sourceVersion(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('log', '-1', '--format=%h (%ci)');
  if (!commit) return 'not a git checkout';
  const changed = git('status', '--porcelain', '--', 'src', 'bench').split('\n').filter(Boolean).length;
  return `commit ${commit}${changed ? `, with ${changed} uncommitted change${changed === 1 ? '' : 's'} under src/ and bench/` : ''}`;
}

function cpuModel(): string {
  const result = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = result.stdout.split('\n').find((l) => l.startsWith('Model name:'));
  return line ? line.slice('Model name:'.length).trim() : 'unknown';
}

/** Newest modification time (ms) of the files under a directory. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** A warning when dist/ was built before the last change under src/ (the CLI row would time old code). */
function cliStaleness(): string | undefined {
  const cli = join(ROOT, CLI);
  if (!existsSync(cli)) return undefined;
  const built = statSync(cli).mtimeMs;
  const changed = newestMtime(join(ROOT, 'src'));
  return changed > built ? `${CLI} is older than the newest file under src/ (by ${((changed - built) / 60000).toFixed(0)} min): run \`npm run build\` first` : undefined;
}

/** Why the CLI is not benchmarked, or undefined when it is there and does the job. */
function cliSkipReason(): string | undefined {
  if (!existsSync(join(ROOT, CLI))) return `${CLI} is not built (npm run build)`;
  const probe = spawnSync(CLI, ['--json', '--frames', 'bench/media/big-720p.mkv'], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    const why = probe.stderr.includes('Not implemented') ? ' (still the placeholder: "Not implemented yet")' : '';
    return `${CLI} exits with ${String(probe.status)}${why}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Report

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const seconds = (s: number): string => (s < 10 ? s.toFixed(3) : s.toFixed(2));
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const ratio = (r: number): string => `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}×`;
const commandOf = (tool: Tool, file: string): string => `\`${tool.argv.map((a) => (a === file ? 'FILE' : a)).join(' ')}\``;
const perTrackText = (c: Counts | undefined): string => (c?.perTrack?.length ? ` (${c.perTrack.join(' + ')})` : '');

interface ToolResult {
  tool: Tool;
  samples: Sample[];
  counts?: Counts;
  error?: string;
}

interface FileResult {
  file: MediaFile;
  results: ToolResult[];
  warmUpSeconds: number;
}

interface TargetLine {
  text: string;
  met: boolean;
}

function wallOf(r: ToolResult | undefined): number {
  return r && r.samples.length ? median(r.samples.map((s) => s.wall)) : NaN;
}

/** Median of the parse timed inside the process (ms); NaN for a tool that does not report it. */
function parseMsOf(r: ToolResult | undefined): number {
  const values = r?.samples.flatMap((s) => (s.parseMs === undefined ? [] : [s.parseMs])) ?? [];
  return values.length ? median(values) : NaN;
}

const milliseconds = (ms: number): string => `${ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;

function fileSection(fr: FileResult, out: string[], targets: TargetLine[], checks: TargetLine[]): void {
  const { file, results } = fr;
  const ours = results.find((r) => r.tool.id === 'ours');
  const oursWall = wallOf(ours);
  const oursCpu = ours ? median(ours.samples.map((s) => s.cpu)) : NaN;
  const size = statSync(join(ROOT, file.path)).size;
  out.push(`#### ${file.title}: \`${file.path}\` (${megabytes(size)})`, '');
  const oursParse = parseMsOf(ours);
  out.push('| Tool | Command (output to /dev/null) | Wall, median (min–max) | CPU user+sys | Peak RSS | Tool ÷ ours, wall | Tool ÷ ours, CPU | Parse inside the process, median (tool ÷ ours) |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const name = r.tool.id === 'ours' ? `**${r.tool.label}**` : r.tool.label;
    if (!r.samples.length) {
      out.push(`| ${name} | ${commandOf(r.tool, file.path)} | not run: ${r.tool.skip ?? r.error ?? 'failed'} | | | | | |`);
      continue;
    }
    const walls = r.samples.map((s) => s.wall);
    const wall = median(walls);
    const cpu = median(r.samples.map((s) => s.cpu));
    const rss = Math.max(...r.samples.map((s) => s.rssBytes));
    const isOurs = r.tool.id === 'ours';
    const parse = parseMsOf(r);
    const parseCell = Number.isNaN(parse) ? '' : `${milliseconds(parse)}${isOurs ? '' : ` (${ratio(parse / oursParse)})`}`;
    out.push(
      `| ${name} | ${commandOf(r.tool, file.path)} | ${seconds(wall)} s (${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}) | ${seconds(cpu)} s | ${megabytes(rss)} | ${isOurs ? '1' : ratio(wall / oursWall)} | ${isOurs ? '1' : ratio(cpu / oursCpu)} | ${parseCell} |`,
    );
  }
  out.push('');

  // Targets (judged on our walker; the CLI, when it runs, is shown against the same baselines).
  const full = results.find((r) => r.tool.id === 'ours-full');
  const cli = results.find((r) => r.tool.id === 'cli');
  const fixedWindow = results.find((r) => r.tool.id === 'ours-64k');
  for (const r of results) {
    if (r.tool.target === undefined || !r.samples.length || !ours?.samples.length) continue;
    const achieved = wallOf(r) / oursWall;
    const extra: string[] = [];
    if (full?.samples.length) extra.push(`with ${file.kind === 'mkv' ? 'cluster' : 'moof'} children in the tree: ${ratio(wallOf(r) / wallOf(full))}`);
    if (fixedWindow?.samples.length) extra.push(`with a fixed 64 KiB read window (experiment): ${ratio(wallOf(r) / wallOf(fixedWindow))}`);
    if (cli?.samples.length) extra.push(`kvs-inspect CLI: ${ratio(wallOf(r) / wallOf(cli))}`);
    targets.push({
      text: `${file.title}: ours ≥ ${r.tool.target}× faster than ${r.tool.label} | ${ratio(achieved)} (${seconds(wallOf(r))} s ÷ ${seconds(oursWall)} s)${extra.length ? `; ${extra.join('; ')}` : ''}`,
      met: achieved >= r.tool.target,
    });
    // A library run by a script of ours (mp4box.js): the parse itself, without Node's start-up and exit.
    const parse = parseMsOf(r);
    if (!Number.isNaN(parse) && !Number.isNaN(oursParse)) {
      targets.push({
        text: `${file.title}: ours ≥ ${r.tool.target}× faster than ${r.tool.label}, the parse inside the process | ${ratio(parse / oursParse)} (${milliseconds(parse)} ÷ ${milliseconds(oursParse)})`,
        met: parse / oursParse >= r.tool.target,
      });
    }
  }
  const cliTree = results.find((r) => r.tool.id === 'cli-tree');
  for (const r of [ours, cli, cliTree]) {
    if (!r?.samples.length) continue;
    const rss = Math.max(...r.samples.map((s) => s.rssBytes));
    const who = r === ours ? 'our walker' : r.tool.label;
    targets.push({ text: `${file.title}: ${who}'s peak RSS < 150 MB | ${megabytes(rss)}`, met: rss < RSS_LIMIT_BYTES });
  }

  // Counts.
  const oc = ours?.counts;
  const unit = file.kind === 'mkv' ? 'blocks' : 'samples';
  out.push(`Counts (untimed check run): ours ${oc?.units ?? '?'} ${unit}${perTrackText(oc)}, ${oc?.groups ?? '?'} ${file.kind === 'mkv' ? 'clusters' : 'moofs'}; ${oc?.note ?? ''}.`);
  for (const r of results) {
    if (r.tool.id === 'ours') continue;
    if (r.error || !r.counts) {
      out.push(`- ${r.tool.label}: ${r.tool.skip ?? r.error ?? 'no counts'}`);
      continue;
    }
    const c = r.counts;
    const parts: string[] = [];
    if (c.units !== undefined) {
      const what = r.tool.id === 'ffprobe' ? 'packets' : unit;
      const same = c.units === oc?.units && (!c.perTrack || !oc?.perTrack || c.perTrack.join() === oc.perTrack.join());
      parts.push(`${c.units} ${what}${perTrackText(c)} ${same ? '= ours ✓' : '≠ ours ✗'}`);
      checks.push({ text: `${file.title}: ${r.tool.label} ${what}`, met: same });
    }
    if (c.groups !== undefined) {
      const same = c.groups === oc?.groups;
      parts.push(`${c.groups} ${file.kind === 'mkv' ? 'clusters' : 'moofs'} ${same ? '= ours ✓' : '≠ ours ✗'}`);
      checks.push({ text: `${file.title}: ${r.tool.label} ${file.kind === 'mkv' ? 'clusters' : 'moofs'}`, met: same });
    }
    if (c.elements !== undefined && r.tool.id === 'mkvinfo') {
      const ourElements = full?.counts?.elements;
      const same = c.elements === ourElements;
      parts.push(`${c.elements} element lines ${same ? '= ours (full tree, without CRC-32 elements, which mkvinfo does not list) ✓' : `≠ ours (full tree, without CRC-32) ${String(ourElements)} ✗`}`);
      checks.push({ text: `${file.title}: mkvinfo element count`, met: same });
    }
    if (c.note) parts.push(c.note);
    out.push(`- ${r.tool.label}: ${parts.join('; ')}`);
  }
  out.push('');
}

function report(
  fileResults: FileResult[],
  options: Options,
  started: Date,
  finished: Date,
  discarded: number,
  cliStale: string | undefined,
  source: string,
): { markdown: string; countsOk: boolean } {
  const out: string[] = [];
  const busy = fileResults.flatMap((fr) => fr.results.flatMap((r) => r.samples.map((s) => s.otherBusy)));
  const nodeVersion = firstLine('node', ['--version']);
  const mp4boxVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/mp4box/package.json'), 'utf8')) as { version: string }).version;
  out.push(`### Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`, '');
  out.push(`Source: ${source}.`, '');
  out.push(
    `Machine: ${availableParallelism()} vCPU ${cpuModel()}, Linux ${release()}, Node ${nodeVersion}; ` +
      `${firstLine('mkvinfo', ['--version'])}; ${firstLine('ffprobe', ['-version']).replace(/ Copyright.*/, '')}; mp4box.js ${mp4boxVersion}.`,
  );
  out.push(
    `${options.runs} timed run${options.runs === 1 ? '' : 's'} per tool, tools interleaved; wall time measured around each child process, ` +
      `CPU time and peak RSS from \`/usr/bin/time\`. Warm page cache (each file read once first: ` +
      `${fileResults.map((fr) => `${fr.file.path.split('/').at(-1)} in ${fr.warmUpSeconds.toFixed(2)} s`).join(', ')}). ` +
      `Other work on the machine during the kept runs: median ${(median(busy) * 100).toFixed(0)} %, at most ${(Math.max(...busy) * 100).toFixed(0)} % of the CPUs ` +
      `(${discarded} run${discarded === 1 ? '' : 's'} done again because other work took ${QUIET * 100} % or more). ` +
      `Took ${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s.`,
    '',
  );
  if (cliStale) out.push(`Warning: ${cliStale}.`, '');
  const targets: TargetLine[] = [];
  const checks: TargetLine[] = [];
  for (const fr of fileResults) fileSection(fr, out, targets, checks);
  out.push('#### Targets', '', '| Target | Measured | Met |', '|---|---|---|');
  for (const t of targets) out.push(`| ${t.text} | ${t.met ? '**yes**' : '**no**'} |`);
  out.push('');
  const countsOk = checks.every((c) => c.met);
  out.push(countsOk ? `All ${checks.length} count checks agree.` : `Count checks that FAIL: ${checks.filter((c) => !c.met).map((c) => c.text).join('; ')}.`, '');
  return { markdown: out.join('\n'), countsOk };
}

// ---------------------------------------------------------------------------------------------------

const log = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const source = sourceVersion();

  if (!existsSync(join(ROOT, 'bench/media/big-720p.mkv')) || !existsSync(join(ROOT, 'bench/media/big-720p-frag.mp4'))) {
    log('making the media (bench/make-media.sh)…');
    const made = spawnSync('bash', [join(ROOT, 'bench/make-media.sh')], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('bench/make-media.sh failed');
  }

  // walk.cjs is the CLIs' launcher (src/cli/launcher.ts): run through its `#!` line (node and its options),
  // it runs walk.main.cjs through V8's code cache, as `kvs-inspect` does.
  log(`bundling bench/walk.ts → ${WALK_OUT.replace(/\.cjs$/, '.main.cjs')}, and its launcher ${WALK_OUT}`);
  await build({
    absWorkingDir: ROOT,
    entryPoints: { 'walk.main': 'bench/walk.ts', walk: 'src/cli/launcher.ts' },
    outdir: dirname(WALK_OUT),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // Generated code: keep `npx eslint bench` about the sources.
    banner: { js: '/* eslint-disable */' },
  });
  chmodSync(join(ROOT, WALK_OUT), 0o755); // run as the CLIs are: through its `#!` line

  const cliSkip = cliSkipReason();
  if (cliSkip) log(`kvs-inspect CLI not run: ${cliSkip}`);
  const cliStale = cliStaleness();
  if (cliStale) log(`warning: ${cliStale}`);
  const files = mediaFiles(cliSkip, options.experiments).filter((f) => !options.only || f.kind === options.only);
  const fileResults: FileResult[] = [];
  for (const file of files) {
    log(`warming the page cache: ${file.path}`);
    const warmUpSeconds = warmUp(join(ROOT, file.path));
    const results: ToolResult[] = [];
    for (const tool of file.tools) {
      const result: ToolResult = { tool, samples: [] };
      results.push(result);
      if (tool.skip) continue;
      log(`count check: ${tool.argv.join(' ')}`);
      const checked = await runCounting(tool);
      if (checked.counts) result.counts = checked.counts;
      if (checked.error) result.error = checked.error;
    }
    fileResults.push({ file, results, warmUpSeconds });
  }

  const timeDir = mkdtempSync(join(tmpdir(), 'kvs-bench-'));
  let discarded = 0;
  try {
    for (let round = 0; round < options.runs; round++) {
      for (const fr of fileResults) {
        const runnable = fr.results.filter((r) => !r.tool.skip && !r.error);
        // Rotate the order each round so no tool always runs right after the same one.
        for (let k = 0; k < runnable.length; k++) {
          const r = runnable[(k + round) % runnable.length];
          if (!r) continue;
          // A run during which other work kept the machine busy is done again (up to 3 times).
          let sample: Sample;
          for (let attempt = 0; ; attempt++) {
            await waitForQuiet(options.waitQuiet);
            sample = await runTimed(r.tool, join(timeDir, 'time.txt'));
            const noisy = sample.otherBusy >= QUIET;
            log(`run ${round + 1}/${options.runs} ${fr.file.kind} ${r.tool.label}: ${sample.wall.toFixed(3)} s, ${megabytes(sample.rssBytes)}, other work ${(sample.otherBusy * 100).toFixed(0)} %${noisy ? ' (busy)' : ''}`);
            if (!noisy || options.waitQuiet === 0 || attempt >= 3) break;
            discarded++;
          }
          r.samples.push(sample);
        }
      }
    }
  } finally {
    rmSync(timeDir, { recursive: true, force: true });
  }

  const { markdown, countsOk } = report(fileResults, options, started, new Date(), discarded, cliStale, source);
  process.stdout.write(`${markdown}\n`);
  if (!countsOk) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
