// kill -9 during ingest: a child process appends fragments in a loop and prints each fragment number
// once append() has returned; the test kills it with SIGKILL at some moment, reopens the store and
// checks that every printed (acknowledged) fragment is there, byte for byte. Several rounds on the same
// store, so recovery is followed by more appends and more kills.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { FragmentStore } from '../../../../src/local/storage/fragmentStore';
import { BIG_SEED_BASE, CRASH_SEGMENT_BYTES, crashCluster, crashClusterSize } from './crashShared';
import { headerFor, tempDir } from './helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CHILD = join(__dirname, 'crashChild.ts');

interface Round {
  /** fragment number -> seed of the acknowledged fragments of this round */
  acknowledged: Map<string, number>;
  /** how many fragments the store held when the child opened it */
  countAtStart: number;
}

/** Runs the child until `killAfterMs` after it is ready, kills it with SIGKILL, returns what it printed. */
function runChild(dir: string, firstSeed: number, killAfterMs: number): Promise<Round> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(firstSeed)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged = new Map<string, number>();
    let countAtStart = -1;
    let pending = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [first, second] = line.split(' ');
        if (first === 'ready') {
          countAtStart = Number(second);
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (first !== undefined && second !== undefined) {
          acknowledged.set(first, Number(second));
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`the child ended with code ${String(code)} / ${String(signal)}: ${stderr}`));
        return;
      }
      // A partial last line was not acknowledged: its newline never came.
      resolvePromise({ acknowledged, countAtStart });
    });
  });
}

test('SIGKILL during ingest loses no acknowledged fragment', { timeout: 180_000 }, async (t) => {
  const { dir, cleanup } = tempDir('crash');
  try {
    const all = new Map<string, number>();
    let tornTails = 0;
    // (kill delay after the child is ready, large clusters?)
    const rounds: [number, boolean][] = [
      [40, false],
      [250, true],
      [300, false],
      [330, true],
      [15, false],
      [410, true],
      [150, false],
      [520, true],
    ];
    for (const [n, [killAfterMs, big]] of rounds.entries()) {
      const round = await runChild(dir, (big ? BIG_SEED_BASE : 1) + n * 10_000, killAfterMs);
      for (const [fragmentNumber, seed] of round.acknowledged) all.set(fragmentNumber, seed);

      const store = FragmentStore.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
      try {
        assert.ok(round.countAtStart >= 0, 'the child got ready');
        if (store.recovery.truncatedDataBytes > 0) tornTails++;
        for (const [fragmentNumber, seed] of all) {
          const record = store.get(fragmentNumber);
          assert.ok(record !== undefined, `acknowledged fragment ${fragmentNumber} (seed ${seed}) is there`);
          assert.equal(record.sizeBytes, crashClusterSize(seed));
          assert.deepEqual(store.readHeader(record.headerId), headerFor(seed % 2));
          // Bytes: every fragment of this round (earlier rounds' were compared after their own kill).
          if (round.acknowledged.has(fragmentNumber)) {
            assert.deepEqual(store.readCluster(record), crashCluster(seed), `fragment ${fragmentNumber} is byte-identical`);
          }
        }
        // At most the one fragment in flight when the kill came is there without an acknowledgement.
        const unacknowledged = store.count - round.countAtStart - round.acknowledged.size;
        assert.ok(unacknowledged === 0 || unacknowledged === 1, `${unacknowledged} unacknowledged fragments of this round`);
        // Fragment numbers are consecutive: nothing was lost in the middle either.
        const records = store.after(undefined, 1_000_000);
        records.forEach((r, i) => assert.equal(BigInt(r.fragmentNumber) - BigInt(records[0]?.fragmentNumber ?? '0'), BigInt(i)));
      } finally {
        store.close();
      }
    }
    assert.ok(all.size > 20, `enough fragments were acknowledged (${all.size})`);
    // After all the kills, every acknowledged fragment once more, byte for byte.
    const store = FragmentStore.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
    try {
      for (const [fragmentNumber, seed] of all) assert.deepEqual(store.readCluster(fragmentNumber), crashCluster(seed), `fragment ${fragmentNumber} at the end`);
    } finally {
      store.close();
    }
    // Informational: how many kills left a torn tail to cut.
    t.diagnostic(`${all.size} acknowledged fragments over ${rounds.length} kills; ${tornTails} kills left a torn tail to cut`);
  } finally {
    cleanup();
  }
});
