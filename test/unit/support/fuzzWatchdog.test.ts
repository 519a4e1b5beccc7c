// The fuzz watchdog itself: a loop that spins or throws fails, naming the input and saving its bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isMainThread } from 'node:worker_threads';
import { runFuzzLoop, type FuzzProbe } from '../../support/fuzz';

export function spins(probe: FuzzProbe): undefined {
  probe.input('first input', Uint8Array.of(1));
  probe.input('mkv run 7', Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3));
  // The bug a size of zero makes: a walk that never moves on.
  let offset = 0;
  while (offset < 4) offset += 0;
  return undefined;
}

export function throws(probe: FuzzProbe): undefined {
  probe.input('ts run 3', Uint8Array.of(0x47, 0x1f));
  throw new RangeError('offset out of bounds');
}

export function throwsOnRound(probe: FuzzProbe): undefined {
  probe.input('writers round 12');
  throw new Error('sample 3 has no data');
}

export function finishes(probe: FuzzProbe, runs: number): string {
  for (let i = 0; i < runs; i++) probe.input(`run ${i}`, new Uint8Array(i));
  return `${runs} runs`;
}

function savedFile(message: string): Uint8Array {
  const path = /input saved to (\S+), /.exec(message)?.[1];
  assert.ok(path, message);
  return new Uint8Array(readFileSync(path));
}

if (isMainThread) {
  test('a loop that spins on an input is stopped, and the input named and saved', async () => {
    const error = await runFuzzLoop(__filename, 'spins', undefined, 600).then(
      () => assert.fail('the spinning loop was not stopped'),
      (e: unknown) => e as Error,
    );
    assert.match(error.message, /^fuzz loop spins: mkv run 7: still running after 600 ms \(input saved to .*, 4 bytes\)$/);
    assert.deepEqual(savedFile(error.message), Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3));
  });

  test('an exception names the input it was thrown on', async () => {
    const error = await runFuzzLoop(__filename, 'throws').then(
      () => assert.fail('the exception was lost'),
      (e: unknown) => e as Error,
    );
    assert.match(error.message, /^ts run 3: offset out of bounds\n\(input saved to .*, 2 bytes\)$/);
    assert.deepEqual(savedFile(error.message), Uint8Array.of(0x47, 0x1f));
  });

  test('an input given by its name only is named, with nothing saved', async () => {
    await assert.rejects(runFuzzLoop(__filename, 'throwsOnRound'), { message: 'writers round 12: sample 3 has no data' });
  });

  test('a loop that ends gives its diagnostic line', async () => {
    assert.equal(await runFuzzLoop(__filename, 'finishes', 50), '50 runs');
  });
}
