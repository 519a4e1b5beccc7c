// Fuzz loops run in a worker thread under a watchdog. A parser that spins on an input blocks the thread
// it runs on, so only another thread can stop it: the watchdog ends a loop that has stayed on one input
// too long, and the failure names that input and saves its bytes for a rerun. An exception is reported
// the same way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMainThread, Worker } from 'node:worker_threads';

/** What a fuzz loop tells the watchdog. */
export interface FuzzProbe {
  /** The input it is about to parse, named so that a rerun can find it, and its bytes when it is one byte string. */
  input(label: string, bytes?: Uint8Array): void;
  /** The inputs are done: what fails now (the checks of the whole loop) is no input's fault. */
  done(): void;
}

/**
 * A fuzz loop, exported by its test file: it calls `probe.input` before parsing each input and
 * `probe.done` after the last, throws on a failed check, and returns a line for the test's diagnostics.
 */
export type FuzzLoop<A> = (probe: FuzzProbe, arg: A) => string;

export interface FuzzOptions {
  /** How long one input may take. */
  stallMs?: number;
  /** Where the input a loop spun or threw on is saved. */
  saveDir?: string;
}

/** Shared between the threads: [0] inputs begun, [1] label length, [2] input length (-1: no bytes, -2: done). */
export interface ProbeBuffers {
  control: Int32Array;
  label: Uint8Array;
  bytes: Uint8Array;
}

const LABEL_CAPACITY = 256;
/** Inputs longer than this are saved cut to it (the fuzzed fixtures are well under). */
const BYTES_CAPACITY = 16 << 20;
/** No input takes a second; this leaves room for a loaded CI machine. */
const DEFAULT_STALL_MS = 15_000;
/** Loading tsx and the test file in the worker, before the first input. */
const STARTUP_MS = 60_000;
const NO_BYTES = -1;
const DONE = -2;
const WORKER = join(__dirname, 'fuzzWorker.ts');

/**
 * Whether a fuzz loop goes on after `runs` inputs: always up to `min`, then up to `max` while within
 * `budgetMs`. A slow machine runs fewer inputs but never fewer than `min`, so no check depends on speed.
 */
export function fuzzRunsLeft(min: number, max: number, budgetMs: number): (runs: number) => boolean {
  const deadline = performance.now() + budgetMs;
  return (runs) => runs < min || (runs < max && performance.now() < deadline);
}

export function probeInto(buffers: ProbeBuffers): FuzzProbe {
  const { control, label, bytes } = buffers;
  return {
    input(name, input) {
      const n = Math.min(name.length, label.length);
      for (let i = 0; i < n; i++) label[i] = name.charCodeAt(i) & 0x7f;
      if (input) bytes.set(input.subarray(0, Math.min(input.length, bytes.length)));
      control[1] = n;
      control[2] = input ? input.length : NO_BYTES;
      Atomics.add(control, 0, 1);
    },
    done() {
      control[2] = DONE;
      Atomics.add(control, 0, 1);
    },
  };
}

/** The input begun last, and where its bytes were saved (if the loop gave them); undefined before the first and after the last. */
function currentInput(buffers: ProbeBuffers, loop: string, saveDir: string): { label: string; saved?: string } | undefined {
  const { control, label, bytes } = buffers;
  const length = control[2] ?? NO_BYTES;
  if (Atomics.load(control, 0) === 0 || length === DONE) return undefined;
  const name = String.fromCharCode(...label.subarray(0, control[1]));
  if (length === NO_BYTES) return { label: name };
  mkdirSync(saveDir, { recursive: true });
  const file = join(saveDir, `${loop} ${name}.bin`.replace(/[^\w.-]+/g, '_'));
  writeFileSync(file, bytes.subarray(0, Math.min(length, bytes.length)));
  const cut = length > bytes.length ? `, the first ${bytes.length} of ${length} bytes` : `, ${length} bytes`;
  return { label: name, saved: `input saved to ${file}${cut}` };
}

/**
 * Runs `loop`, which `file` exports under its name, in a worker thread; resolves with its diagnostic line.
 * Rejects, naming the input, when the loop throws or stays on one input for `stallMs`.
 */
export function runFuzzLoop<A>(file: string, loop: FuzzLoop<A>, arg: A, options: FuzzOptions = {}): Promise<string> {
  const { stallMs = DEFAULT_STALL_MS, saveDir = join(tmpdir(), 'kvs-fuzz') } = options;
  const buffers: ProbeBuffers = {
    control: new Int32Array(new SharedArrayBuffer(12)),
    label: new Uint8Array(new SharedArrayBuffer(LABEL_CAPACITY)),
    bytes: new Uint8Array(new SharedArrayBuffer(BYTES_CAPACITY)),
  };
  // tsx's hooks do not reach a worker thread; its CommonJS register does, from inside the worker.
  const worker = new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER)});`, {
    eval: true,
    workerData: { file, loop: loop.name, arg, buffers },
  });
  const current = () => currentInput(buffers, loop.name, saveDir);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      finish();
    };
    let begun = 0;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(buffers.control, 0);
      if (now !== begun) {
        begun = now;
        since = Date.now();
      } else if (Date.now() - since >= (begun === 0 ? STARTUP_MS : stallMs)) {
        settle(() => {
          const input = current();
          void worker.terminate();
          const saved = input?.saved ? ` (${input.saved})` : '';
          const what = input ? `${input.label}: still running after ${stallMs} ms${saved}` : `no input begun after ${STARTUP_MS} ms`;
          reject(new Error(`fuzz loop ${loop.name}: ${what}`));
        });
      }
    }, Math.min(250, stallMs / 4));
    worker.on('message', (message: { diagnostic: string }) => settle(() => resolve(message.diagnostic)));
    worker.on('error', (thrown: unknown) =>
      settle(() => {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        const input = current();
        if (input) error.message = `${input.label}: ${error.message}${input.saved ? `\n(${input.saved})` : ''}`;
        reject(error);
      }),
    );
    worker.on('exit', (code) => settle(() => reject(new Error(`fuzz loop ${loop.name}: worker exited (${code}) before the loop ended`))));
  });
}

/** A test that runs `file`'s exported `loop` under the watchdog. Does nothing in the worker that loads the file. */
export function fuzzTest<A>(name: string, file: string, loop: FuzzLoop<A>, arg: A): void {
  if (!isMainThread) return;
  test(name, async (t) => {
    t.diagnostic(await runFuzzLoop(file, loop, arg));
  });
}
