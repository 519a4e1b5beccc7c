// KVS Local as the media tests use it: the whole service on a free port, SDK clients, raw PutMedia.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, GetDataEndpointCommand, KinesisVideoClient, type APIName } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { KinesisVideoMediaClient } from '@aws-sdk/client-kinesis-video-media';
import { DEFAULT_LOCAL_CREDENTIALS } from '../../../../src/local/defaults';
import { startKvsLocalService, type KvsLocalService, type KvsLocalServiceOptions } from '../../../../src/local/service';
import { request as httpRequest } from 'node:http';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { plainRequest, sendSigned, signer } from '../http/harness';

export const REGION = 'us-east-1';
const config = () => ({ region: REGION, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, maxAttempts: 1 });

export interface MediaHarness {
  service: KvsLocalService;
  dataDir: string;
  control: KinesisVideoClient;
  archived(stream: string, api?: APIName): Promise<KinesisVideoArchivedMediaClient>;
  media(stream: string): Promise<KinesisVideoMediaClient>;
  createStream(name: string, retentionHours?: number): Promise<void>;
  close(keepData?: boolean): Promise<void>;
}

export async function startMediaHarness(options: Partial<KvsLocalServiceOptions> = {}, dataDir = mkdtempSync(join(tmpdir(), 'kvs-media-'))): Promise<MediaHarness> {
  const service = await startKvsLocalService({ host: '127.0.0.1', port: 0, dataDir, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, streamTransitionDelayMs: 0, throttle: { scale: 100 }, ...options });
  const control = new KinesisVideoClient({ ...config(), endpoint: service.url });
  const endpoint = async (stream: string, api: APIName) => (await control.send(new GetDataEndpointCommand({ StreamName: stream, APIName: api }))).DataEndpoint ?? '';
  return {
    service,
    dataDir,
    control,
    archived: async (stream, api = 'LIST_FRAGMENTS') => new KinesisVideoArchivedMediaClient({ ...config(), endpoint: await endpoint(stream, api) }),
    media: async (stream) => new KinesisVideoMediaClient({ ...config(), endpoint: await endpoint(stream, 'GET_MEDIA') }),
    createStream: async (name, retentionHours = 24) => {
      await control.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: retentionHours }));
    },
    close: async (keepData = false) => {
      control.destroy();
      await service.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Ack {
  EventType: string;
  FragmentNumber?: string;
  FragmentTimecode?: number;
  ErrorId?: number;
  ErrorCode?: string;
}

/** One PutMedia request, SigV4-signed over the empty payload like the producer SDKs; returns its acks. */
export async function putMedia(url: string, stream: string, body: Uint8Array[], headers: Record<string, string> = {}): Promise<{ status: number; acks: Ack[]; text: string }> {
  const request = plainRequest(url, 'POST', '/putMedia', {
    headers: {
      'x-amzn-stream-name': stream,
      'x-amzn-fragment-timecode-type': 'RELATIVE',
      'x-amzn-producer-start-timestamp': '1700000000.5',
      'x-amzn-fragment-acknowledgment-required': '1',
      'transfer-encoding': 'chunked',
      ...headers,
    },
  });
  const response = await sendSigned(url, request, { body });
  const text = response.body.toString('utf8');
  const acks = response.status === 200 ? text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Ack) : [];
  return { status: response.status, acks, text };
}

/** x-amzn-producer-start-timestamp for a start time in ms: seconds with three decimals. */
export function producerStartHeader(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** PutMedia of `bytes` (in 4 KiB writes) starting at `startMs`; asserts it was persisted without an error ack. */
export async function putPersisted(url: string, stream: string, bytes: Uint8Array, startMs: number): Promise<void> {
  const { status, acks, text } = await putMedia(url, stream, chunks(bytes, 4096), { 'x-amzn-producer-start-timestamp': producerStartHeader(startMs) });
  assert.equal(status, 200, text);
  assert.ok(acks.some((a) => a.EventType === 'PERSISTED'), text);
  assert.ok(!acks.some((a) => a.EventType === 'ERROR'), text);
}

/** Splits bytes into chunks of `size`, as a producer's network writes would. */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

export interface StreamingPut {
  write(bytes: Uint8Array): void;
  end(): void;
  /** Acks as they arrive. */
  acks: Ack[];
  /** Resolves when the response ends or the connection closes. */
  done: Promise<void>;
  /** Resolves when `count` PERSISTED acks have arrived. */
  persisted(count: number): Promise<void>;
}

/** A PutMedia whose body the test writes piece by piece, reading acks while it sends. */
export async function streamingPutMedia(url: string, stream: string, headers: Record<string, string> = {}): Promise<StreamingPut> {
  const request = plainRequest(url, 'POST', '/putMedia', {
    headers: { 'x-amzn-stream-name': stream, 'x-amzn-fragment-timecode-type': 'RELATIVE', 'x-amzn-producer-start-timestamp': '1700000000.5', 'transfer-encoding': 'chunked', ...headers },
  });
  const signed = await signer().sign(request);
  const base = new URL(url);
  const acks: Ack[] = [];
  const waiters: (() => void)[] = [];
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const req = httpRequest({ host: base.hostname, port: Number(base.port), method: 'POST', path: '/putMedia', headers: signed.headers }, (res) => {
    let pending = '';
    res.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) acks.push(JSON.parse(line) as Ack);
      waiters.splice(0).forEach((wake) => wake());
    });
    res.on('end', resolveDone);
    res.on('close', resolveDone);
  });
  req.on('error', resolveDone);
  req.on('close', () => waiters.splice(0).forEach((wake) => wake()));
  req.flushHeaders();
  return {
    write: (bytes) => void req.write(bytes),
    end: () => req.end(),
    acks,
    done,
    persisted: async (count) => {
      while (acks.filter((ack) => ack.EventType === 'PERSISTED').length < count) {
        if (req.destroyed && req.writableEnded) throw new Error(`connection closed after ${acks.length} acks`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

/** The clusters of an MKV file as separate byte ranges, after its header. */
export function splitClusters(file: Uint8Array): { header: Uint8Array; clusters: Uint8Array[] } {
  const clusters = readMatroska(bytesSource(file), { blocks: false }).clusters;
  const first = clusters[0]?.offset ?? file.length;
  return { header: file.subarray(0, first), clusters: clusters.map((cluster) => file.subarray(cluster.offset, cluster.end)) };
}
