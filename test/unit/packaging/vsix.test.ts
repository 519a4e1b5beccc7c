import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { before, test } from 'node:test';

const VSIX = 'dist/kinesis-video-inspector.vsix';
let files: string[] = [];

before(() => {
  // The real package: production bundles, then vsce (what `npm run package` ships).
  execFileSync('npm', ['run', '--silent', 'package'], { stdio: 'ignore' });
  files = execFileSync('node_modules/.bin/vsce', ['ls', '--no-dependencies'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
});

test('the .vsix holds only what runs: bundles, media, README, LICENSE, CHANGELOG, package.json', () => {
  const allowed = [/^dist\/extension\.js$/, /^dist\/cli\/kvs-(inspect|local|put)(\.main)?\.js$/, /^dist\/webview\/\w+\.js$/, /^media\/[\w.-]+\.(css|png|svg|mkv)$/, /^(README\.md|LICENSE|CHANGELOG\.md|package\.json)$/];
  const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
  assert.deepEqual(unexpected, []);
  for (const required of ['dist/extension.js', 'dist/cli/kvs-inspect.js', 'dist/cli/kvs-local.js', 'dist/cli/kvs-put.js', 'dist/cli/kvs-inspect.main.js', 'dist/cli/kvs-local.main.js', 'dist/cli/kvs-put.main.js', 'dist/webview/player.js', 'media/kinesis-video.svg', 'media/icon.png', 'media/demo.mkv', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    assert.ok(files.includes(required), `${required} is missing from the .vsix`);
  }
});

test('the .vsix stays small (under 2 MB)', () => {
  const bytes = statSync(VSIX).size;
  assert.ok(bytes < 2 * 1024 * 1024, `the .vsix is ${bytes} bytes`);
});
