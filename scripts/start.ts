/**
 * `npm start`: builds the extension and opens VS Code with it. Desktop VS Code (`code` on PATH) gets
 * the extension in development mode; otherwise code-server serves VS Code on 127.0.0.1 with the
 * packaged extension installed, and the URL is printed. Ctrl+C stops everything.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startCodeServer } from './vscode/codeServer';
import { ensureCodeServerTools } from './vscode/codeServerTools';

const workspace = process.cwd();
const port = Number(process.env.PORT ?? 0) || undefined;

function hasDesktopCode(): boolean {
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  if (hasDesktopCode() && !process.env.KVS_START_CODE_SERVER) {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
    execFileSync('code', ['--new-window', `--extensionDevelopmentPath=${workspace}`, workspace], { stdio: 'inherit' });
    console.log('Opened desktop VS Code with Kinesis Video Inspector in development mode.');
    return;
  }
  const tools = ensureCodeServerTools();
  execFileSync('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const profileDir = resolve('.cache/start-profile');
  mkdirSync(profileDir, { recursive: true });
  const server = await startCodeServer({ tools, profileDir, workspace, vsix: resolve('dist/kinesis-video-inspector.vsix'), port });
  console.log(`\nVS Code with Kinesis Video Inspector: ${server.workspaceUrl}`);
  console.log('Open it in a browser and choose the Kinesis Video icon in the activity bar. Ctrl+C stops it.');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.once('exit', (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
