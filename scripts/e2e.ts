/**
 * `npm run test:e2e`: installs (once, cached) Node 24 and code-server, packages the extension as a
 * .vsix, and runs test/e2e/*.test.ts with Node's test runner. Each test file starts its own
 * code-server with a fresh profile and drives Debian's Chromium through playwright-core.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureCodeServerTools } from './vscode/codeServerTools';

const tools = ensureCodeServerTools();
execFileSync('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });

const files = readdirSync('test/e2e')
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `test/e2e/${name}`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
  env: {
    ...process.env,
    KVS_E2E_NODE: tools.node,
    KVS_E2E_CODE_SERVER: tools.entry,
    KVS_E2E_VSIX: resolve('dist/kinesis-video-inspector.vsix'),
  },
});
process.exit(result.status ?? 1);
