// Runs every test/unit/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Extra arguments are passed on, e.g. `node scripts/run-unit-tests.mjs --test-name-pattern=ebml`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = findTests('test/unit').sort();
// One file at a time: the packaging test rebuilds dist/, which the CLI tests run.
// --test-timeout bounds each file (the slowest takes about a minute), the last guard against a test
// that never ends. (The fuzz tests run their loops in a worker thread under a watchdog of their own,
// test/support/fuzz.ts, which names the input a parser spins on.)
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...process.argv.slice(2), ...files];
const result = spawnSync(process.execPath, args, {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
