// kvs-put: uploads an MKV (or MP4, remuxed on the fly) file to a Kinesis Video stream the way a producer
// does — DescribeStream (CreateStream and wait for ACTIVE with --create), GetDataEndpoint(PUT_MEDIA),
// PutMedia — and prints every acknowledgement.
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  KinesisVideoClient,
  type KinesisVideoClientConfig,
} from '@aws-sdk/client-kinesis-video';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { formatAck, PutMediaEventType } from '../kvs/putMedia/acks';
import { openFileUpload, type FileUpload } from '../kvs/putMedia/bodies';
import { putMedia, type PutMediaResult } from '../kvs/putMedia/putMedia';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_REGION } from '../local/defaults';
import { parseArgs } from './args';

const USAGE = `Usage: kvs-put FILE.mkv --stream NAME [--create] [--realtime] [--endpoint URL]
               [--region R] [--profile P]

Uploads an MKV (or MP4, remuxed to MKV on the fly) file to a Kinesis Video stream with PutMedia, as a
producer does, and prints each acknowledgement. Exits 0 when every fragment was PERSISTED, else 1.

  --stream NAME    the stream to upload to
  --create         create the stream if it does not exist (24 h retention) and wait until it is ACTIVE
  --realtime       send each cluster when its timecode is due: a 10 s file takes about 10 s
  --endpoint URL   control-plane endpoint instead of AWS, e.g. KVS Local's http://127.0.0.1:4587
                   (a loopback URL uses KVS Local's keys unless --profile or AWS_ACCESS_KEY_ID is set)
  --region R       AWS region (default: AWS_REGION or the profile's; ${DEFAULT_LOCAL_REGION} for loopback URLs)
  --profile P      shared-config profile (default: the standard AWS credential chain)

MKV clusters with epoch timecodes (ms) are sent as ABSOLUTE, others as RELATIVE to now.`;

/** A failure explained in one line. */
class CliError extends Error {}

const CREATE_RETENTION_HOURS = 24;
const ACTIVE_TIMEOUT_MS = 120_000;

interface Options {
  file: string;
  stream: string;
  create: boolean;
  realtime: boolean;
  endpoint?: string;
  region?: string;
  profile?: string;
}

function parseOptions(argv: readonly string[]): Options | string {
  const args = parseArgs(argv, { values: ['--stream', '--endpoint', '--region', '--profile'], flags: ['--create', '--realtime'] });
  if (typeof args === 'string') return args;
  if (args.positionals.length !== 1) return args.positionals.length === 0 ? 'no FILE given' : `one FILE expected, got ${args.positionals.length}`;
  const stream = args.values.get('--stream');
  if (stream === undefined) return '--stream NAME is required';
  if (!/^[a-zA-Z0-9_.-]{1,256}$/.test(stream)) return `--stream: "${stream}" is not a stream name (1–256 of a-z A-Z 0-9 _ . -)`;
  const endpoint = args.values.get('--endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) return `--endpoint must be an http:// or https:// URL, got "${endpoint}"`;
  return {
    file: args.positionals[0] ?? '',
    stream,
    create: args.flags.has('--create'),
    realtime: args.flags.has('--realtime'),
    ...(endpoint !== undefined && { endpoint: endpoint.replace(/\/+$/, '') }),
    ...(args.values.has('--region') && { region: args.values.get('--region') }),
    ...(args.values.has('--profile') && { profile: args.values.get('--profile') }),
  };
}

function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function clientConfig(options: Options, env: NodeJS.ProcessEnv): KinesisVideoClientConfig & { credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider } {
  const local = options.endpoint !== undefined && isLoopbackUrl(options.endpoint);
  const credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider =
    options.profile !== undefined
      ? fromIni({ profile: options.profile })
      : local && (env.AWS_ACCESS_KEY_ID ?? '') === ''
        ? { ...DEFAULT_LOCAL_CREDENTIALS }
        : fromNodeProviderChain();
  const region = options.region ?? (local ? (env.AWS_REGION ?? DEFAULT_LOCAL_REGION) : undefined);
  return {
    credentials,
    ...(region !== undefined && { region }),
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
  };
}

/** DescribeStream; with `create`, CreateStream when it does not exist; then waits for ACTIVE. */
async function ensureActiveStream(control: KinesisVideoClient, options: Options, upload: FileUpload, say: (line: string) => void): Promise<void> {
  let status = await describeStatus(control, options.stream);
  if (status === undefined) {
    if (!options.create) throw new CliError(`stream "${options.stream}" does not exist; pass --create to create it`);
    await call('CreateStream', control.send(new CreateStreamCommand({
      StreamName: options.stream,
      DataRetentionInHours: CREATE_RETENTION_HOURS,
      ...(upload.mediaType !== undefined && { MediaType: upload.mediaType }),
    })));
    say(`Created stream ${options.stream} (${CREATE_RETENTION_HOURS} h retention)`);
    status = 'CREATING';
  }
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  let delay = 100;
  while (status !== 'ACTIVE') {
    if (status === 'DELETING') throw new CliError(`stream "${options.stream}" is being deleted`);
    if (status === undefined) throw new CliError(`stream "${options.stream}" disappeared while waiting for it to become ACTIVE`);
    if (Date.now() > deadline) throw new CliError(`stream "${options.stream}" is still ${status} after ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
    status = await describeStatus(control, options.stream);
  }
}

/** The stream's status, undefined when it does not exist. */
async function describeStatus(control: KinesisVideoClient, streamName: string): Promise<string | undefined> {
  try {
    const answer = await control.send(new DescribeStreamCommand({ StreamName: streamName }));
    return answer.StreamInfo?.Status ?? 'ACTIVE';
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw describeError('DescribeStream', error);
  }
}

async function call<T>(operation: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw describeError(operation, error);
  }
}

function describeError(operation: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  return new CliError(`${operation} failed: ${oneLine(error)}`);
}

/** `Name: message` of an error on one line (no stack). */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const name = error.name && error.name !== 'Error' && !error.message.startsWith(error.name) ? `${error.name}: ` : '';
  const code = (error as NodeJS.ErrnoException).code;
  const detail = error.message || code || 'unknown error';
  return `${name}${detail}`.replace(/\s*\n\s*/g, ' ');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    process.stderr.write(`kvs-put: ${options}\n\n${USAGE}\n`);
    return 1;
  }
  const say = (line: string): void => void process.stdout.write(`${line}\n`);

  let upload: FileUpload;
  try {
    upload = openFileUpload(options.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${options.file}: ${code ?? oneLine(error)}`);
  }
  // The SDK's notice that its 2027 releases will need Node 22 says nothing about this upload.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const control = new KinesisVideoClient(clientConfig(options, process.env));
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort(new CliError('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const found of upload.issues) {
      if (found.severity !== 'info') process.stderr.write(`kvs-put: ${found.severity}: ${found.message}\n`);
    }
    if (upload.fragmentCount === 0) throw new CliError(`${options.file} has no clusters (fragments) to upload`);

    const region = await control.config.region().catch(() => {
      throw new CliError('no AWS region: pass --region or set AWS_REGION (or a region in the profile)');
    });
    // The client's own (memoised) provider, so PutMedia signs with what the control-plane calls used.
    const credentials = control.config.credentials;
    await ensureActiveStream(control, options, upload, say);
    const endpoint = (await call('GetDataEndpoint', control.send(new GetDataEndpointCommand({ StreamName: options.stream, APIName: 'PUT_MEDIA' })))).DataEndpoint;
    if (endpoint === undefined || endpoint === '') throw new CliError('GetDataEndpoint returned no endpoint for PUT_MEDIA');

    say(
      `Uploading ${basename(options.file)} (${upload.format === 'mp4' ? 'MP4 remuxed to MKV, ' : ''}${upload.fragmentCount} fragment${upload.fragmentCount === 1 ? '' : 's'}, ` +
        `${(upload.durationMs / 1000).toFixed(1)} s, ${upload.timecodeType} timecodes${options.realtime ? ', real time' : ''}) to ${options.stream}`,
    );
    const started = performance.now();
    let result: PutMediaResult;
    try {
      result = await putMedia({
        endpoint,
        region,
        credentials,
        streamName: options.stream,
        timecodeType: upload.timecodeType,
        body: upload.body({ realtime: options.realtime, signal: interrupted.signal }),
        onAck: (ack) => say(formatAck(ack)),
        onMalformed: (text, reason) => process.stderr.write(`kvs-put: unreadable acknowledgement (${reason}): ${text}\n`),
        signal: interrupted.signal,
        userAgent: 'kvs-put (kinesis-video-inspector)',
      });
    } catch (error) {
      throw describeError('PutMedia', error);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const persisted = result.counts[PutMediaEventType.PERSISTED] ?? 0;
    const errors = result.errors.length;
    say(`${persisted} of ${upload.fragmentCount} fragments persisted, ${errors} error${errors === 1 ? '' : 's'}; ${result.bytesSent} bytes in ${seconds} s`);
    if (!result.bodyComplete) process.stderr.write('kvs-put: the service ended PutMedia before the whole file was sent\n');
    return persisted >= upload.fragmentCount && errors === 0 && result.bodyComplete ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    control.destroy();
    upload.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kvs-put: ${error instanceof CliError ? error.message : oneLine(error)}\n`);
    process.exit(1);
  },
);
