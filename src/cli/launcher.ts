#!/usr/bin/env -S node --v8-pool-size=0
// What a CLI's `bin` file is: it runs the CLI's bundle (`<name>.main.js` next to it) through V8's code
// cache, kept in the user's cache directory, so that every run after the first skips parsing and
// compiling the bundle: a few hundred kB of JavaScript, about 10 ms of a 100 ms `kvs-inspect` run.
// (Node 22 has this built in as module.enableCompileCache(); Node 20 does not.)
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that does not fit this bundle, Node or V8 flags is
// not used, and is written again at exit.
//
// V8 caches only the functions compiled when the cache is made, that is those the run that wrote it
// used: a cache written by a run on an MKV file lacks the MP4 reader, which later MP4 runs then compile
// again every time (7-15 % of a run on a small file). So a bundle may export `runKind`, a word for what
// its run used (kvs-inspect: the container format and the options); the cache is written again after a
// run of a kind it has not seen, and then holds the code of every kind of run made so far.
//
// The first line (esbuild keeps it at the top of each bin file) gives V8 one background thread per CPU
// but one (`--v8-pool-size=0`) instead of Node's fixed four: on a 2-CPU machine four threads compiling
// and collecting garbage take turns with the main thread, which then waits 5-20 ms of a 100 ms
// command (docs/benchmarks.md). `node dist/cli/kvs-inspect.js` runs without it, with Node's default.
import { isAscii } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

const bundle = __filename.replace(/(\.c?js)$/, '.main$1');

/**
 * The user's cache directory for compiled code; undefined without XDG_CACHE_HOME or a home directory.
 * (The variables os.homedir() reads first, without loading node:os: half a millisecond of every command.)
 */
function cacheDirectory(): string | undefined {
  const home = process.platform === 'win32' ? process.env.USERPROFILE : process.env.HOME;
  const base = process.env.XDG_CACHE_HOME || (home && join(home, '.cache'));
  return base ? join(base, 'kinesis-video-inspector', 'compile-cache') : undefined;
}

/**
 * The cache files of this bundle's path start with this: its name and a hash of its path, so that copies
 * installed in different places (two versions of the extension) keep one cache each.
 */
function cachePrefix(): string {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < bundle.length; i++) hash = Math.imul(hash ^ bundle.charCodeAt(i), 0x01000193) >>> 0;
  return `${basename(bundle)}.${hash.toString(16)}.`;
}

/** The cache file of the bundle as built (size and time) for this Node: a new build gets a new name. */
function cacheName(prefix: string): string {
  const { size, mtimeMs } = statSync(bundle);
  return `${prefix}${size}.${Math.floor(mtimeMs)}.${process.version}.${process.arch}.v8`;
}

/** A cache file: a line of the run kinds it has seen, separated by spaces, then V8's code cache. */
interface Cache {
  kinds: string[];
  data: Buffer;
}

function readCache(file: string): Cache | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  const line = bytes.toString('latin1', 0, newline);
  return { kinds: line ? line.split(' ') : [], data: bytes.subarray(newline + 1) };
}

/** The bundle's `runKind` export, when it is a word that fits a cache file's first line. */
function runKindOf(module: { exports: unknown }): string | undefined {
  const kind = (module.exports as { runKind?: unknown } | undefined)?.runKind;
  return typeof kind === 'string' && /^[\w.:+-]{1,64}$/.test(kind) ? kind : undefined;
}

/**
 * Caches of other paths not written for this long are removed when a cache is written: each version of
 * the extension installs to a path of its own, and the old ones' caches would stay forever. (A cache in
 * use is written only when its bundle changes, so one older than this is written again on its next run.)
 */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** Removes the older builds' caches at this path, and the stale caches of other paths. */
function removeOldCaches(directory: string, prefix: string, name: string): void {
  const staleBefore = Date.now() - STALE_MS;
  for (const file of readdirSync(directory)) {
    const path = join(directory, file);
    try {
      if (file.startsWith(prefix) ? file !== name : statSync(path).mtimeMs < staleBefore) unlinkSync(path);
    } catch {
      // removed meanwhile by another run
    }
  }
}

/** Writes the cache; a cache that cannot be written is only slower. */
function writeCache(directory: string, prefix: string, name: string, cache: Cache): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    removeOldCaches(directory, prefix, name);
    const temporary = join(directory, `${name}.${process.pid}.tmp`);
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${cache.kinds.join(' ')}\n`, 'latin1'), cache.data]), { mode: 0o600 });
    renameSync(temporary, join(directory, name));
  } catch {
    // read-only home, full disk: the next run compiles again
  }
}

/** The bundle's text: esbuild writes ASCII, which needs no UTF-8 decoding. */
function text(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

function run(): void {
  const directory = process.env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheDirectory();
  const prefix = cachePrefix();
  const name = directory ? cacheName(prefix) : '';
  const cache = directory ? readCache(join(directory, name)) : undefined;
  // The wrapper Node puts around a CommonJS module, on the bundle's first line (line numbers stay).
  const source = `(function (exports, require, module, __filename, __dirname) {${text(readFileSync(bundle))}\n})`;
  const script = new Script(source, { filename: bundle, ...(cache ? { cachedData: cache.data } : {}) });
  const seen = cache && script.cachedDataRejected !== true ? cache.kinds : undefined;
  const module = { exports: {}, filename: bundle };
  if (directory) {
    process.once('exit', () => {
      const kind = runKindOf(module);
      if (seen && (kind === undefined || seen.includes(kind))) return;
      // At exit the cache also holds the functions compiled while the CLI ran (and those it was read with).
      const kinds = [...(seen ?? []), ...(kind === undefined ? [] : [kind])];
      writeCache(directory, prefix, name, { kinds, data: script.createCachedData() });
    });
  }
  const start = script.runInThisContext() as (...args: unknown[]) => void;
  // The bundle lies next to the launcher, so the launcher's own require resolves what the bundle requires
  // (node: modules, optional packages) as a require of its own would (createRequire would load node:module).
  start.call(module.exports, module.exports, require, module, bundle, dirname(bundle));
}

run();
