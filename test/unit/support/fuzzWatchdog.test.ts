// The fuzz watchdog itself: a loop that spins or throws fails, naming the input and saving its bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isMainThread } from 'node:worker_threads';
import { runFuzzLoop, type FuzzProbe } from '../../support/fuzz';

export function spins(probe: FuzzProbe): string {
  probe.input('first input', Uint8Array.of(1));
  probe.input('mkv run 7', Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3));
  // The bug a size of zero makes: a walk that never moves on.
  let offset = 0;
  while (offset < 4) offset += 0;
  return 'unreachable';
}

export function throws(probe: FuzzProbe): string {
  probe.input('ts run 3', Uint8Array.of(0x47, 0x1f));
  throw new RangeError('offset out of bounds');
}

export function throwsOnRound(probe: FuzzProbe): string {
  probe.input('writers round 12');
  throw new Error('sample 3 has no data');
}

export function failsAfterTheInputs(probe: FuzzProbe): string {
  probe.input('run 0', Uint8Array.of(0));
  probe.done();
  throw new Error('only 1 run');
}

export function finishes(probe: FuzzProbe, runs: number): string {
  for (let i = 0; i < runs; i++) probe.input(`run ${i}`, new Uint8Array(i));
  probe.done();
  return `${runs} runs`;
}

if (isMainThread) {
  const saveDir = mkdtempSync(join(tmpdir(), 'kvs-fuzz-watchdog-'));
  after(() => rmSync(saveDir, { recursive: true, force: true }));

  const failure = (run: Promise<string>): Promise<Error> =>
    run.then(
      () => assert.fail('the loop did not fail'),
      (e: unknown) => e as Error,
    );
  const savedFile = (message: string): Uint8Array => {
    const path = /input saved to (\S+), /.exec(message)?.[1] ?? '';
    assert.ok(path.startsWith(saveDir), message);
    return new Uint8Array(readFileSync(path));
  };

  test('a loop that spins on an input is stopped, and the input named and saved', async () => {
    const error = await failure(runFuzzLoop(__filename, spins, undefined, { stallMs: 600, saveDir }));
    assert.match(error.message, /^fuzz loop spins: mkv run 7: still running after 600 ms \(input saved to .*spins_mkv_run_7\.bin, 4 bytes\)$/);
    assert.deepEqual(savedFile(error.message), Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3));
  });

  test('an exception names the input it was thrown on', async () => {
    const error = await failure(runFuzzLoop(__filename, throws, undefined, { saveDir }));
    assert.match(error.message, /^ts run 3: offset out of bounds\n\(input saved to .*, 2 bytes\)$/);
    assert.deepEqual(savedFile(error.message), Uint8Array.of(0x47, 0x1f));
  });

  test('an input given by its name only is named, with nothing saved', async () => {
    await assert.rejects(runFuzzLoop(__filename, throwsOnRound, undefined, { saveDir }), { message: 'writers round 12: sample 3 has no data' });
  });

  test('a check after the last input blames no input', async () => {
    await assert.rejects(runFuzzLoop(__filename, failsAfterTheInputs, undefined, { saveDir }), { message: 'only 1 run' });
  });

  test('a loop that ends gives its diagnostic line', async () => {
    assert.equal(await runFuzzLoop(__filename, finishes, 50), '50 runs');
  });
}
