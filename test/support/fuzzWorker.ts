// The worker end of runFuzzLoop (fuzz.ts): loads the test file, runs the named loop, posts its line.
import { parentPort, workerData } from 'node:worker_threads';
import { probeInto, type FuzzLoop, type ProbeBuffers } from './fuzz';

const { file, loop, arg, buffers } = workerData as { file: string; loop: string; arg: unknown; buffers: ProbeBuffers };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the test file is chosen at run time
const run = (require(file) as Record<string, FuzzLoop<unknown> | undefined>)[loop];
if (!run) throw new Error(`${file} exports no fuzz loop ${loop}`);
parentPort?.postMessage({ diagnostic: run(probeInto(buffers), arg) });
