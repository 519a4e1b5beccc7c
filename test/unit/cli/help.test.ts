import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// The package's `bin` entries, as `npx kvs-…` runs them after `npm ci` (which builds dist/).
for (const name of ['kvs-inspect', 'kvs-local', 'kvs-put']) {
  test(`${name} --help prints its usage and exits 0`, () => {
    const result = spawnSync(`dist/cli/${name}.js`, ['--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Usage: ${name} `));
  });
}
