// Runs KVS Local (the bundled kvs-local CLI) as a child process of the extension host and waits for
// its "KVS Local listening on URL" line.
import { spawn, type ChildProcess } from 'node:child_process';

const READY = /KVS Local listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;

export interface LocalServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  demo: boolean;
  /** Receives every line the server prints. */
  onLine?: (line: string) => void;
}

export interface LocalServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const args = [options.cliPath, '--port', String(options.port), '--data', options.dataDir, '--exit-with-stdin', ...(options.demo ? ['--demo'] : [])];
  // The extension host may be Electron (desktop VS Code): make it behave as plain Node.
  const child = spawn(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      options.onLine?.(line);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`KVS Local did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const watch = (chunk: Buffer) => {
      const match = READY.exec(chunk.toString('utf8'));
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout.off('data', watch);
      child.off('exit', onExit);
      resolve({ url: match[1], process: child, stop: () => stopChild(child) });
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`KVS Local exited with code ${code}: ${recent.at(-1) ?? 'no output'}`));
    };
    child.stdout.on('data', watch);
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
