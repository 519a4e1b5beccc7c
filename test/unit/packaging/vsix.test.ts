import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { test } from 'node:test';

/** What `vsce package` puts into the .vsix (it needs `npm run build` first; `npm test` does that). */
let listed: string[] | undefined;
function packagedFiles(): string[] {
  listed ??= execFileSync('node_modules/.bin/vsce', ['ls', '--no-dependencies'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
  return listed;
}

test('the .vsix holds only what runs: bundles, media, README, LICENSE, CHANGELOG, package.json', () => {
  const files = packagedFiles();
  const allowed = [/^dist\/extension\.js$/, /^dist\/cli\/kvs-(inspect|local|put)\.js$/, /^dist\/webview\/\w+\.js$/, /^media\/[\w.-]+\.(css|png|svg|mkv)$/, /^(README\.md|LICENSE|CHANGELOG\.md|package\.json)$/];
  const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
  assert.deepEqual(unexpected, []);
  for (const required of ['dist/extension.js', 'dist/cli/kvs-inspect.js', 'dist/cli/kvs-local.js', 'dist/cli/kvs-put.js', 'dist/webview/player.js', 'media/kinesis-video.svg', 'media/icon.png', 'media/demo.mkv', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    assert.ok(files.includes(required), `${required} is missing from the .vsix`);
  }
});

test('the .vsix stays small (under 3 MB before compression)', () => {
  const bytes = packagedFiles().reduce((total, file) => total + statSync(file).size, 0);
  assert.ok(bytes < 3 * 1024 * 1024, `packaged files total ${bytes} bytes`);
});
