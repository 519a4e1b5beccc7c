import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOST, DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_PORT, DEFAULT_LOCAL_REGION } from '../local/defaults';
import { startKvsLocalService } from '../local/service';
import { parseArgs, parsePort } from './args';

const USAGE = `Usage: kvs-local [--port N] [--host 127.0.0.1] [--data DIR] [--demo]
                 [--access-key-id K --secret-access-key S]

Runs KVS Local, a Kinesis Video Streams-compatible service on this machine: the AWS SDKs, the AWS CLI
and KVS producers talk to it as to the service (SigV4-signed requests, region ${DEFAULT_LOCAL_REGION}).

  --port N        port to listen on (default ${DEFAULT_LOCAL_PORT}; 0 picks a free one)
  --host H        address to bind (default ${DEFAULT_HOST}; anything else needs your own keys)
  --data DIR      where streams and fragments are stored (default ${defaultDataDir()})
  --demo          create stream "demo" and produce a live clip into it, looping, in real time
  --access-key-id, --secret-access-key
                  the key pair requests must be signed with (default: a public local pair)`;

/** The user's data folder (XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows). */
function defaultDataDir(): string {
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'kvs-local');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'kvs-local');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'kvs-local');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const args = parseArgs(argv, { values: ['--port', '--host', '--data', '--access-key-id', '--secret-access-key'], flags: ['--demo', '--exit-with-stdin'] });
  const port = typeof args === 'string' ? args : parsePort(args.values.get('--port'), DEFAULT_LOCAL_PORT);
  const keyId = typeof args === 'string' ? undefined : args.values.get('--access-key-id');
  const secret = typeof args === 'string' ? undefined : args.values.get('--secret-access-key');
  const problem =
    typeof args === 'string' ? args : typeof port === 'string' ? port : args.positionals.length > 0 ? `unexpected argument ${args.positionals[0]}` : (keyId === undefined) !== (secret === undefined) ? '--access-key-id and --secret-access-key go together' : undefined;
  if (problem !== undefined || typeof args === 'string' || typeof port === 'string') {
    process.stderr.write(`kvs-local: ${problem}\n\n${USAGE}\n`);
    return 1;
  }
  const credentials = keyId !== undefined && secret !== undefined ? { accessKeyId: keyId, secretAccessKey: secret } : { ...DEFAULT_LOCAL_CREDENTIALS };
  const dataDir = args.values.get('--data') ?? defaultDataDir();
  const service = await startKvsLocalService({
    host: args.values.get('--host') ?? DEFAULT_HOST,
    port,
    dataDir,
    credentials,
    demo: args.flags.has('--demo'),
    log: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  });
  process.stdout.write(`KVS Local listening on ${service.url}\n`);
  process.stdout.write(`  region             ${DEFAULT_LOCAL_REGION}\n`);
  process.stdout.write(`  access key id      ${credentials.accessKeyId}\n`);
  process.stdout.write(`  secret access key  ${keyId === undefined ? credentials.secretAccessKey : '(the one you gave)'}\n`);
  process.stdout.write(`  data               ${dataDir}\n`);
  if (args.flags.has('--demo')) process.stdout.write('  demo stream        demo (live)\n');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Started by the extension: stop when the editor that started us goes away, even if it crashed.
    if (args.flags.has('--exit-with-stdin')) {
      process.stdin.once('end', stop).once('close', stop).resume();
    }
  });
  await service.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kvs-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
