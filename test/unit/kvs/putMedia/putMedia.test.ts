// The PutMedia client over real HTTP: against KVS Local's PutMedia (acks, ListFragments), and against
// KVS Local's router with test handlers (SigV4 verified by the router before a handler runs) that
// answer in awkward ways: acks cut anywhere, full duplex, a stalled reader, an early end, a reset.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { putMedia, PutMediaError, type PutMediaAck } from '../../../../src/kvs/putMedia';
import { startKvsLocal, type KvsLocal, type OperationContext } from '../../../../src/local/server';
import { credentials, REGION, startLocalService, type LocalService } from './localService';

const CLIP = readFileSync('test/fixtures/media/h264-aac.mkv');

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('against KVS Local PutMedia', () => {
  let local: LocalService;
  before(async () => {
    local = await startLocalService();
    await local.createStream('cam');
  });
  after(() => local.close());

  test('every cluster is acknowledged BUFFERING, RECEIVED, PERSISTED; fragments carry start + timecode', async () => {
    const acks: PutMediaAck[] = [];
    const result = await putMedia({
      endpoint: await local.dataEndpoint('cam'),
      region: REGION,
      credentials: credentials(),
      streamName: 'cam',
      timecodeType: 'RELATIVE',
      producerStartTimestampMs: 1_700_000_000_005,
      body: chunksOf(CLIP, 1000),
      onAck: (ack) => acks.push(ack),
    });
    assert.deepEqual(
      acks.map((ack) => `${ack.eventType} ${ack.fragmentTimecode}`),
      ['BUFFERING 0', 'RECEIVED 0', 'PERSISTED 0', 'BUFFERING 1002', 'RECEIVED 1002', 'PERSISTED 1002'],
    );
    for (const ack of acks) assert.match(ack.fragmentNumber ?? '', /^\d{47}$/);
    assert.deepEqual(result.counts, { BUFFERING: 2, RECEIVED: 2, PERSISTED: 2 });
    assert.deepEqual(result.errors, []);
    assert.equal(result.bytesSent, CLIP.length);
    assert.equal(result.bodyComplete, true);
    assert.match(result.requestId ?? '', /^[0-9a-f-]{36}$/);

    const fragments = await local.listFragments('cam');
    // "1700000000.5" is 1700000000 s + 5 ms.
    assert.deepEqual(fragments.map((f) => f.ProducerTimestamp?.getTime()), [1_700_000_000_005, 1_700_000_001_007]);
    assert.deepEqual(fragments.map((f) => f.FragmentNumber), acks.filter((a) => a.eventType === 'PERSISTED').map((a) => a.fragmentNumber));
  });

  test('a stream that does not exist: PutMediaError ResourceNotFoundException (404)', async () => {
    const error = await putMedia({ endpoint: local.url, region: REGION, credentials: credentials(), streamName: 'nope', timecodeType: 'RELATIVE', body: chunksOf(CLIP, 1000) }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PutMediaError);
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.equal(error.statusCode, 404);
    assert.match(error.message, /not found/);
  });

  test('a wrong secret key: the signature is refused (403), with a credentials provider too', async () => {
    const error = await putMedia({
      endpoint: local.url,
      region: REGION,
      credentials: () => Promise.resolve({ ...credentials(), secretAccessKey: 'wrong' }),
      streamName: 'cam',
      timecodeType: 'RELATIVE',
      body: chunksOf(CLIP, 1000),
    }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PutMediaError);
    assert.equal(error.name, 'InvalidSignatureException');
    assert.equal(error.statusCode, 403);
  });
});

describe('against test handlers behind the KVS Local router', () => {
  type Handler = (ctx: OperationContext) => Promise<void>;
  let handler: Handler = () => Promise.resolve();
  let server: KvsLocal;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvs-put-handler-'));
    server = await startKvsLocal({ dataDir, mediaOperations: { putMedia: { streaming: true, handle: (ctx) => handler(ctx) } } });
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const options = (body: AsyncIterable<Uint8Array>, extra: Partial<Parameters<typeof putMedia>[0]> = {}): Parameters<typeof putMedia>[0] => ({
    endpoint: server.url,
    region: REGION,
    credentials: credentials(),
    streamName: 'cam',
    timecodeType: 'ABSOLUTE',
    body,
    ...extra,
  });

  function readAll(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  test('the request: POST /putMedia, chunked, x-amzn-* headers, SigV4 over the empty payload', async () => {
    let seen: { url?: string; headers: IncomingMessage['headers']; body: Buffer } | undefined;
    handler = async ({ req, res, auth }) => {
      seen = { url: req.url, headers: req.headers, body: await readAll(req) };
      assert.equal(auth.payloadHash, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      for (const name of ['host', 'x-amz-date', 'x-amzn-fragment-acknowledgment-required', 'x-amzn-fragment-timecode-type', 'x-amzn-producer-start-timestamp', 'x-amzn-stream-name']) {
        assert.ok(auth.signedHeaders.includes(name), `${name} is signed`);
      }
      res.writeHead(200).end();
    };
    const result = await putMedia(options(chunksOf(CLIP, 7000), { producerStartTimestampMs: 1_700_000_000_042 }));
    assert.ok(seen);
    assert.equal(seen.url, '/putMedia');
    assert.equal(seen.headers['x-amzn-stream-name'], 'cam');
    assert.equal(seen.headers['x-amzn-fragment-timecode-type'], 'ABSOLUTE');
    assert.equal(seen.headers['x-amzn-producer-start-timestamp'], '1700000000.42');
    assert.equal(seen.headers['x-amzn-fragment-acknowledgment-required'], '1');
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(seen.headers['content-length'], undefined);
    assert.equal(seen.headers['x-amz-content-sha256'], undefined);
    assert.match(seen.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDKVSLOCAL00000000\/\d{8}\/us-east-1\/kinesisvideo\/aws4_request, /);
    assert.deepEqual(seen.body, CLIP);
    assert.deepEqual(result, { requestId: result.requestId, counts: {}, errors: [], malformed: [], bytesSent: CLIP.length, bodyComplete: true });
  });

  test('a base path in the endpoint is kept', async () => {
    let url: string | undefined;
    handler = ({ req, res }) => {
      url = req.url;
      res.writeHead(200).end();
      return Promise.resolve();
    };
    // The router answers POST /<operation> only, so a prefixed path is refused: it shows the path sent.
    const error = await putMedia(options(chunksOf(CLIP, 7000), { endpoint: `${server.url}/data/cam/` })).catch((e: unknown) => e);
    assert.ok(error instanceof PutMediaError);
    assert.equal(error.name, 'UnknownOperationException');
    assert.match(error.message, /\/data\/cam\/putMedia/);
    assert.equal(url, undefined);
  });

  test('full duplex: acks arrive while the body is still being sent, cut at odd places', async () => {
    const lines = (n: number): string => `{"EventType":"PERSISTED","FragmentTimecode":${n},"FragmentNumber":"${String(n).padStart(47, '0')}"}\n`;
    handler = async ({ req, res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      let n = 0;
      for await (const _chunk of req) {
        // Each ack goes out in three writes, the cuts inside the object.
        const text = lines(n++);
        for (const piece of [text.slice(0, 5), text.slice(5, 40), text.slice(40)]) {
          res.write(piece);
          await sleep(2);
        }
      }
      res.end('{"EventType":"IDLE"}');
    };
    // The body waits for the ack of each chunk before sending the next: a client that read the
    // response only after sending everything would never finish.
    const acked: number[] = [];
    let wake: (() => void) | undefined;
    const body = async function* (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 5; i++) {
        const ack = new Promise<void>((resolve) => (wake = resolve));
        yield new Uint8Array(100).fill(i);
        await ack;
      }
    };
    const result = await putMedia(
      options(body(), {
        onAck: (ack) => {
          if (ack.eventType === 'PERSISTED') acked.push(ack.fragmentTimecode ?? -1);
          wake?.();
        },
      }),
    );
    assert.deepEqual(acked, [0, 1, 2, 3, 4]);
    assert.deepEqual(result.counts, { PERSISTED: 5, IDLE: 1 });
    assert.equal(result.bodyComplete, true);
  });

  test('backpressure: a stalled reader stops the body being pulled; an early end stops the upload', async () => {
    let releaseReader: (() => void) | undefined;
    let received = 0;
    handler = async ({ req, res }) => {
      res.writeHead(200).flushHeaders();
      req.pause();
      await new Promise<void>((resolve) => (releaseReader = resolve));
      // Read a little, then end the response: the service has had enough.
      await new Promise<void>((resolve) => {
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 1024 * 1024) {
            req.pause();
            resolve();
          }
        });
        req.resume();
      });
      res.end('{"EventType":"ERROR","ErrorId":4000,"ErrorCode":"STREAM_READ_ERROR"}\n');
    };
    let pulled = 0;
    let finalized = false;
    const chunk = new Uint8Array(64 * 1024);
    const endless = async function* (): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          pulled++;
          yield chunk;
        }
      } finally {
        finalized = true;
      }
    };
    const upload = putMedia(options(endless()));
    await sleep(500);
    // Socket buffers hold a few MB at most; without backpressure this would be thousands of chunks.
    const pulledWhileStalled = pulled;
    assert.ok(pulledWhileStalled < 400, `pulled ${pulledWhileStalled} chunks while the reader was stalled`);
    await sleep(200);
    assert.ok(pulled - pulledWhileStalled < 5, 'no more pulled while stalled');
    releaseReader?.();
    const result = await upload;
    assert.equal(result.bodyComplete, false);
    assert.deepEqual(result.errors, [{ eventType: 'ERROR', errorId: 4000, errorCode: 'STREAM_READ_ERROR' }]);
    await sleep(50);
    assert.ok(finalized, 'the body was closed');
  });

  test('abort: rejects with the reason and closes the body', async () => {
    handler = async ({ req, res }) => {
      res.writeHead(200).flushHeaders();
      for await (const _chunk of req) {
        // keep reading
      }
    };
    let finalized = false;
    const body = async function* (): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          yield new Uint8Array(1000);
          await sleep(10);
        }
      } finally {
        finalized = true;
      }
    };
    const controller = new AbortController();
    const upload = putMedia(options(body(), { signal: controller.signal }));
    await sleep(100);
    const reason = new Error('enough');
    controller.abort(reason);
    await assert.rejects(upload, (error) => error === reason);
    await sleep(50);
    assert.ok(finalized);
  });

  test('the connection is reset mid-response: rejects', async () => {
    handler = async ({ req, res }) => {
      res.writeHead(200).flushHeaders();
      res.write('{"EventType":"BUFFERING","FragmentTimecode":1,"FragmentNumber":"1"}\n');
      await sleep(50);
      req.socket.destroy();
    };
    const acks: string[] = [];
    const body = async function* (): AsyncGenerator<Uint8Array> {
      for (;;) {
        yield new Uint8Array(1000);
        await sleep(5);
      }
    };
    await assert.rejects(putMedia(options(body(), { onAck: (ack) => acks.push(ack.eventType) })), /closed|socket hang up|ECONNRESET|aborted/i);
    assert.deepEqual(acks, ['BUFFERING']);
  });

  test('an onAck callback that throws ends the upload with its error', async () => {
    handler = async ({ req, res }) => {
      res.writeHead(200).flushHeaders();
      res.write('{"EventType":"IDLE"}\n');
      for await (const _chunk of req) {
        // keep reading
      }
    };
    const body = async function* (): AsyncGenerator<Uint8Array> {
      for (;;) {
        yield new Uint8Array(1000);
        await sleep(10);
      }
    };
    const thrown = new Error('callback broke');
    await assert.rejects(
      putMedia(
        options(body(), {
          onAck: () => {
            throw thrown;
          },
        }),
      ),
      (error) => error === thrown,
    );
  });

  test('the body fails: rejects with its error and the request is abandoned', async () => {
    let serverSaw: string | undefined;
    handler = ({ req, res }: { req: IncomingMessage; res: ServerResponse }) =>
      new Promise<void>((resolve) => {
        res.writeHead(200).flushHeaders();
        req.on('data', () => undefined);
        req.on('end', () => {
          serverSaw = 'end';
          resolve();
        });
        req.on('close', () => {
          serverSaw ??= 'aborted';
          resolve();
        });
      });
    const failure = new Error('disk on fire');
    const body = async function* (): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(1000);
      await sleep(20);
      throw failure;
    };
    await assert.rejects(putMedia(options(body())), (error) => error === failure);
    await sleep(100);
    assert.equal(serverSaw, 'aborted', 'the server must not take a truncated body for a complete one');
  });
});
