// The CLIs' launcher (src/cli/launcher.ts): the built `kvs-inspect` keeps V8's code cache in the user's
// cache directory, reads it on later runs, writes a damaged one again, and prints the same either way;
// run as a program, a bin file starts node with the launcher's options.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from '../../support/tempFiles';

const FIXTURE = 'test/fixtures/media/h264-aac-frag.mp4';

function inspect(cacheHome: string, extraEnv: NodeJS.ProcessEnv = {}, args: readonly string[] = [FIXTURE]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome, ...extraEnv };
  delete env.NODE_OPTIONS; // no tsx loader in the CLI's process
  if (!('NODE_DISABLE_COMPILE_CACHE' in extraEnv)) delete env.NODE_DISABLE_COMPILE_CACHE;
  const result = spawnSync(process.execPath, ['dist/cli/kvs-inspect.js', ...args], { env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('kvs-inspect writes its code cache on the first run, reads it on the next, and rewrites a damaged one', () => {
  withTempDir((home) => {
    const cacheDir = join(home, 'kinesis-video-inspector', 'compile-cache');
    const expected = inspect(home, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.match(expected, /fragmented MP4/);
    assert.equal(existsSync(cacheDir), false, 'NODE_DISABLE_COMPILE_CACHE: no cache');

    assert.equal(inspect(home), expected);
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1, files.join(', '));
    const file = join(cacheDir, files[0] ?? '');
    assert.match(files[0] ?? '', /^kvs-inspect\.main\.js\.[0-9a-f]+\.\d+\.\d+\.v\d+/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const written = statSync(file);
    assert.ok(written.size > 10_000, `${written.size} bytes of compiled code`);

    assert.equal(inspect(home), expected);
    assert.equal(statSync(file).mtimeMs, written.mtimeMs, 'a good cache is read, not written again');

    for (const damaged of ['not a code cache', 'fragmented-mp4\nnot a code cache']) {
      writeFileSync(file, damaged);
      assert.equal(inspect(home), expected);
      assert.notEqual(readFileSync(file, 'latin1').slice(0, damaged.length), damaged, 'a damaged cache is written again');
      assert.ok(statSync(file).size > 10_000);
    }
    assert.deepEqual(readdirSync(cacheDir), files);
  });
});

test('a run of a kind its code cache has not seen (another format, another option) writes the cache again, with the code of both', () => {
  withTempDir((home) => {
    const cacheDir = join(home, 'kinesis-video-inspector', 'compile-cache');
    const mkv = ['test/fixtures/media/h264-aac.mkv'];
    const expected = { mp4: inspect(home, { NODE_DISABLE_COMPILE_CACHE: '1' }), mkv: inspect(home, { NODE_DISABLE_COMPILE_CACHE: '1' }, mkv) };
    const cache = (): { kinds: string; size: number; mtimeMs: number } => {
      const [name, ...others] = readdirSync(cacheDir);
      assert.equal(others.length, 0);
      const file = join(cacheDir, name ?? '');
      const { size, mtimeMs } = statSync(file);
      return { kinds: readFileSync(file, 'latin1').split('\n', 1)[0] ?? '', size, mtimeMs };
    };

    assert.equal(inspect(home), expected.mp4);
    const mp4Only = cache();
    assert.equal(mp4Only.kinds, 'fragmented-mp4');

    assert.equal(inspect(home, {}, mkv), expected.mkv);
    const both = cache();
    assert.equal(both.kinds, 'fragmented-mp4 matroska');
    assert.ok(both.size > mp4Only.size + 10_000, `the MKV reader's code is added: ${mp4Only.size} → ${both.size} bytes`);

    assert.equal(inspect(home), expected.mp4);
    assert.equal(inspect(home, {}, mkv), expected.mkv);
    assert.deepEqual(cache(), both, 'kinds the cache has seen leave it as it is');

    inspect(home, {}, ['--json', ...mkv]);
    assert.equal(cache().kinds, 'fragmented-mp4 matroska matroska+json');
  });
});

test('writing a cache removes the caches of other install paths not written for 30 days', () => {
  withTempDir((home) => {
    const cacheDir = join(home, 'kinesis-video-inspector', 'compile-cache');
    mkdirSync(cacheDir, { recursive: true });
    const stale = 'kvs-inspect.main.js.0badc0de.1000.1.v20.0.0.x64.v8'; // an extension version uninstalled long ago
    const recent = 'kvs-local.main.js.0badc0de.1000.1.v20.0.0.x64.v8';
    for (const name of [stale, recent]) writeFileSync(join(cacheDir, name), 'old');
    const fortyDaysAgo = (Date.now() - 40 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(cacheDir, stale), fortyDaysAgo, fortyDaysAgo);
    inspect(home);
    const files = readdirSync(cacheDir);
    assert.ok(!files.includes(stale), 'the stale cache is removed');
    assert.ok(files.includes(recent), 'a cache written lately stays');
    assert.equal(files.length, 2, files.join(', '));
  });
});

test('a bin file run as a program starts node through its #! line, with one V8 background thread per CPU but one', () => {
  withTempDir((dir) => {
    // The built launcher in front of a bundle that prints how node was started.
    const bin = join(dir, 'probe.js');
    copyFileSync('dist/cli/kvs-inspect.js', bin);
    chmodSync(bin, 0o755);
    writeFileSync(join(dir, 'probe.main.js'), 'process.stdout.write(JSON.stringify(process.execArgv));\n');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: dir };
    delete env.NODE_OPTIONS;
    const result = spawnSync(bin, [], { env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), ['--v8-pool-size=0']);
  });
  // And the real CLI, run the same way, prints what it prints under plain `node`.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  delete env.NODE_OPTIONS;
  const direct = spawnSync('dist/cli/kvs-inspect.js', [FIXTURE], { env, encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  withTempDir((home) => assert.equal(direct.stdout, inspect(home, { NODE_DISABLE_COMPILE_CACHE: '1' })));
});
