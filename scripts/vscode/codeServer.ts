/** Starts code-server (real VS Code, served to a browser) with a fresh profile on a loopback port. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { CodeServerTools } from './codeServerTools';

export interface CodeServerOptions {
  tools: CodeServerTools;
  /** Folder holding user data, extensions and logs of this instance. */
  profileDir: string;
  /** Folder opened as the workspace. */
  workspace: string;
  /** A .vsix to install into the fresh extensions folder before starting. */
  vsix?: string;
  port?: number;
  /** User settings merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export interface RunningCodeServer {
  url: string;
  /** URL that opens the workspace folder. */
  workspaceUrl: string;
  userDataDir: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Settings that keep a fresh VS Code from opening tours, chats and update checks over the test. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
};

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const userDataDir = join(options.profileDir, 'user-data');
  const extensionsDir = join(options.profileDir, 'extensions');
  const configFile = join(options.profileDir, 'config.yaml');
  const logFile = join(options.profileDir, 'code-server.log');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));

  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const env = { ...process.env, ...options.env };
  if (options.vsix) {
    execFileSync(options.tools.node, [options.tools.entry, ...common, '--install-extension', options.vsix, '--force'], { env, stdio: 'pipe' });
  }

  const port = options.port ?? (await freeLoopbackPort());
  const child = spawn(
    options.tools.node,
    [
      options.tools.entry,
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      options.workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s; see ${logFile}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('HTTP server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code} before listening; see ${logFile}`));
    });
  });

  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    workspaceUrl: `${url}?folder=${encodeURIComponent(options.workspace)}`,
    userDataDir,
    logFile,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
