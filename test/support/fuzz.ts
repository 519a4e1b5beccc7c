// Fuzz loops run in a worker thread under a watchdog. A parser that spins on an input blocks the thread
// it runs on, so only another thread can stop it: the watchdog ends a loop that has stayed on one input
// too long, and the failure names that input and saves its bytes for a rerun. An exception is reported
// the same way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMainThread, Worker } from 'node:worker_threads';

/**
 * What a fuzz loop tells the watchdog: the input it is about to parse, named so that a rerun can find
 * it, and its bytes when it is one byte string.
 */
export interface FuzzProbe {
  input(label: string, bytes?: Uint8Array): void;
}

/**
 * A fuzz loop, exported by its test file: it calls `probe.input` before parsing each input, throws on a
 * failed check, and returns a line for the test's diagnostics.
 */
export type FuzzLoop<A = undefined> = (probe: FuzzProbe, arg: A) => string | undefined;

/** Shared between the threads: [0] inputs begun, [1] label length, [2] input length. */
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
const WORKER = join(__dirname, 'fuzzWorker.ts');

export function probeInto(buffers: ProbeBuffers): FuzzProbe {
  const { control, label, bytes } = buffers;
  return {
    input(name, input) {
      const n = Math.min(name.length, label.length);
      for (let i = 0; i < n; i++) label[i] = name.charCodeAt(i) & 0x7f;
      if (input) bytes.set(input.subarray(0, Math.min(input.length, bytes.length)));
      control[1] = n;
      control[2] = input ? input.length : -1;
      Atomics.add(control, 0, 1);
    },
  };
}

/** The input begun last, and where its bytes were saved (if the loop gave them). */
function currentInput(buffers: ProbeBuffers): { label: string; saved?: string } | undefined {
  const { control, label, bytes } = buffers;
  if (Atomics.load(control, 0) === 0) return undefined;
  const name = String.fromCharCode(...label.subarray(0, control[1]));
  const length = control[2] ?? -1;
  if (length < 0) return { label: name };
  const dir = join(tmpdir(), 'kvs-fuzz');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.bin`);
  writeFileSync(file, bytes.subarray(0, Math.min(length, bytes.length)));
  const cut = length > bytes.length ? `, the first ${bytes.length} of ${length} bytes` : `, ${length} bytes`;
  return { label: name, saved: `input saved to ${file}${cut}` };
}

/**
 * Runs the loop that `file` exports as `loop` in a worker thread; resolves with its diagnostic line.
 * Rejects, naming the input, when the loop throws or stays on one input for `stallMs`.
 */
export function runFuzzLoop(file: string, loop: string, arg?: unknown, stallMs = DEFAULT_STALL_MS): Promise<string | undefined> {
  const buffers: ProbeBuffers = {
    control: new Int32Array(new SharedArrayBuffer(12)),
    label: new Uint8Array(new SharedArrayBuffer(LABEL_CAPACITY)),
    bytes: new Uint8Array(new SharedArrayBuffer(BYTES_CAPACITY)),
  };
  // tsx's hooks do not reach a worker thread; its CommonJS register does, from inside the worker.
  const worker = new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER)});`, {
    eval: true,
    workerData: { file, loop, arg, buffers },
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      finish();
    };
    let begun = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(buffers.control, 0);
      if (now !== begun) {
        begun = now;
        since = Date.now();
      } else if (Date.now() - since >= stallMs) {
        settle(() => {
          const input = currentInput(buffers);
          void worker.terminate();
          const saved = input?.saved ? ` (${input.saved})` : '';
          const what = input ? `${input.label}: still running after ${stallMs} ms${saved}` : `no input begun after ${stallMs} ms`;
          reject(new Error(`fuzz loop ${loop}: ${what}`));
        });
      }
    }, Math.min(250, stallMs / 4));
    worker.on('message', (message: { diagnostic?: string }) => settle(() => resolve(message.diagnostic)));
    worker.on('error', (error: Error) =>
      settle(() => {
        const input = currentInput(buffers);
        if (input) error.message = `${input.label}: ${error.message}${input.saved ? `\n(${input.saved})` : ''}`;
        reject(error);
      }),
    );
    worker.on('exit', (code) => settle(() => reject(new Error(`fuzz loop ${loop}: worker exited (${code}) before the loop ended`))));
  });
}

/** A test that runs `file`'s exported loop under the watchdog. Does nothing in the worker that loads the file. */
export function fuzzTest(name: string, file: string, loop: string, arg?: unknown): void {
  if (!isMainThread) return;
  test(name, async (t) => {
    const diagnostic = await runFuzzLoop(file, loop, arg);
    if (diagnostic) t.diagnostic(diagnostic);
  });
}
