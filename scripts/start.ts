/**
 * `npm start`: builds the extension, starts KVS Local with its live demo stream, and opens VS Code with
 * the extension connected to it. Desktop VS Code (`code` on PATH) gets the extension in development
 * mode with a profile of its own; otherwise code-server serves VS Code on 127.0.0.1 with the packaged
 * extension installed, and the URL is printed. Ctrl+C stops everything.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_PORT } from '../src/local/defaults';
import { startKvsLocalService, type KvsLocalService } from '../src/local/service';
import { freeLoopbackPort, startCodeServer } from './vscode/codeServer';
import { ensureCodeServerTools } from './vscode/codeServerTools';

const workspace = process.cwd();
const port = Number(process.env.PORT ?? 0) || undefined;

function hasDesktopCode(): boolean {
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function startLocal(): Promise<KvsLocalService> {
  const options = { host: '127.0.0.1', dataDir: resolve('.cache/kvs-local'), credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, demo: true };
  try {
    return await startKvsLocalService({ ...options, port: DEFAULT_LOCAL_PORT });
  } catch {
    return startKvsLocalService({ ...options, port: await freeLoopbackPort() });
  }
}

function connectionSettings(endpoint: string): Record<string, unknown> {
  return { 'kinesisVideo.connections': [{ kind: 'local', label: 'KVS Local', endpoint }] };
}

async function main(): Promise<void> {
  const local = await startLocal();
  console.log(`KVS Local (live stream "demo"): ${local.url}`);
  const stops: (() => Promise<void>)[] = [() => local.close()];
  const stop = () => void Promise.all(stops.map((fn) => fn())).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (hasDesktopCode() && !process.env.KVS_START_CODE_SERVER) {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
    const profile = resolve('.cache/desktop-profile');
    mkdirSync(join(profile, 'User'), { recursive: true });
    writeFileSync(join(profile, 'User', 'settings.json'), JSON.stringify(connectionSettings(local.url), null, 2));
    execFileSync('code', ['--new-window', `--user-data-dir=${profile}`, `--extensionDevelopmentPath=${workspace}`, workspace], { stdio: 'inherit' });
    console.log('Opened desktop VS Code with Kinesis Video Inspector in development mode. Ctrl+C stops KVS Local.');
    return;
  }
  const tools = ensureCodeServerTools();
  execFileSync('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const profileDir = resolve('.cache/start-profile');
  mkdirSync(profileDir, { recursive: true });
  const server = await startCodeServer({ tools, profileDir, workspace, vsix: resolve('dist/kinesis-video-inspector.vsix'), port, settings: connectionSettings(local.url) });
  stops.push(() => server.stop());
  console.log(`\nVS Code with Kinesis Video Inspector: ${server.workspaceUrl}`);
  console.log('Open it in a browser and choose the Kinesis Video icon in the activity bar. Ctrl+C stops everything.');
  server.process.once('exit', () => stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
