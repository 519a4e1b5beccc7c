// The HTTP layer of KVS Local against the real AWS SDK v3 clients: authentication failures, error
// serialisation, routing, throttling, the media-operation contract and the loopback rule.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CreateStreamCommand, DescribeStreamCommand, GetDataEndpointCommand, KinesisVideoClient, ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient, ListFragmentsCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetMediaCommand, KinesisVideoMediaClient } from '@aws-sdk/client-kinesis-video-media';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import type { OperationContext, OperationHandler } from '../../../../src/local/server';
import { DEFAULT_LOCAL_CREDENTIALS, KvsError, isLoopbackHost, startKvsLocal } from '../../../../src/local/server';
import type { Harness } from './harness';
import { REGION, controlClient, plainRequest, send, sendSigned, serviceError, signer, startHarness, tempDir } from './harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('authentication with the real SDK', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.control.send(new CreateStreamCommand({ StreamName: 'cam1' }));
  });
  after(() => h.close());

  test('a wrong secret is a 403 InvalidSignatureException', async () => {
    const client = controlClient(h.server.url, { credentials: { accessKeyId: DEFAULT_LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const error = await serviceError(client.send(new DescribeStreamCommand({ StreamName: 'cam1' })), 'InvalidSignatureException', 403);
    assert.match(error.message, /^The request signature we calculated does not match the signature you provided\./);
    assert.equal(error.$fault, 'client');
    assert.match(error.$metadata.requestId ?? '', UUID);
    client.destroy();
  });

  test('an unknown access key is a 403 UnrecognizedClientException', async () => {
    const client = controlClient(h.server.url, { credentials: { accessKeyId: 'AKIDNOTKVSLOCAL00000', secretAccessKey: DEFAULT_LOCAL_CREDENTIALS.secretAccessKey } });
    const error = await serviceError(client.send(new ListStreamsCommand({})), 'UnrecognizedClientException', 403);
    assert.equal(error.message, 'The security token included in the request is invalid.');
    client.destroy();
  });

  test('a body changed after signing fails verification', async () => {
    const client = controlClient(h.server.url);
    const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      const text = request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : String(request.body);
      assert.ok(text.includes('"cam1"'));
      request.body = Buffer.from(text.replace('cam1', 'cam2'), 'utf8'); // same length
      return next(args);
    };
    client.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' });
    const changed = await serviceError(client.send(new DescribeStreamCommand({ StreamName: 'cam1' })), 'InvalidSignatureException', 403);
    assert.match(changed.message, /x-amz-content-sha256/);

    // The same change with x-amz-content-sha256 removed breaks the signature itself.
    const dropHash: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      request.body = Buffer.from(Buffer.from(request.body as Uint8Array).toString('utf8').replace('cam1', 'cam2'), 'utf8');
      delete request.headers['x-amz-content-sha256'];
      return next(args);
    };
    const noHash = controlClient(h.server.url);
    noHash.middlewareStack.addRelativeTo(dropHash, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'dropHash' });
    const unhashed = await serviceError(noHash.send(new DescribeStreamCommand({ StreamName: 'cam1' })), 'InvalidSignatureException', 403);
    assert.match(unhashed.message, /does not match the signature you provided/);
    client.destroy();
    noHash.destroy();
  });

  test('a clock 20 minutes behind is refused; the SDK corrects its clock from the Date header and retries', async () => {
    const skewed = controlClient(h.server.url, { systemClockOffset: -20 * 60_000 });
    const error = await serviceError(skewed.send(new DescribeStreamCommand({ StreamName: 'cam1' })), 'InvalidSignatureException', 403);
    assert.match(error.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    skewed.destroy();
    const retrying = controlClient(h.server.url, { systemClockOffset: -20 * 60_000, maxAttempts: 2 });
    const result = await retrying.send(new DescribeStreamCommand({ StreamName: 'cam1' }));
    assert.equal(result.StreamInfo?.StreamName, 'cam1');
    assert.equal(result.$metadata.attempts, 2);
    retrying.destroy();
  });

  test('an unsigned request is a 403 MissingAuthenticationTokenException', async () => {
    const response = await send(h.server.url, { method: 'POST', path: '/listStreams', headers: { 'content-type': 'application/json' } }, '{}');
    assert.equal(response.status, 403);
    assert.equal(response.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.match(String(response.headers['x-amzn-requestid']), UUID);
  });
});

describe('routing and error serialisation', () => {
  let h: Harness;
  const logged: string[] = [];
  before(async () => {
    h = await startHarness({
      maxBodyBytes: 1000,
      log: (_level, message) => logged.push(message),
      mediaOperations: {
        listFragments: { handle: () => { throw new Error('boom: internal detail'); } },
      },
      rawRoutes: (req, res) => {
        if (req.method !== 'GET' || !(req.url ?? '').startsWith('/hls/v1/')) return false;
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end('#EXTM3U\n');
        return true;
      },
    });
  });
  after(() => h.close());

  test('operation paths are case-sensitive: a wrong case is Coral\'s 404 UnknownOperationException', async () => {
    for (const path of ['/DescribeStream', '/tagResource', '/describeStream/extra', '/', '/nothing']) {
      const response = await send(h.server.url, { method: 'POST', path, headers: { 'content-type': 'application/json' } }, '{}');
      assert.equal(response.status, 404, path);
      assert.equal(response.headers['x-amzn-errortype'], 'UnknownOperationException');
      assert.match(String(response.headers['x-amzn-requestid']), UUID);
      const body = response.json() as { Output: { __type: string }; Version: string; Message: string };
      assert.equal(body.Output.__type, 'com.amazon.coral.service#UnknownOperationException');
      assert.equal(body.Version, '1.0');
    }
    const get = await send(h.server.url, { method: 'GET', path: '/describeStream', headers: {} });
    assert.equal(get.status, 404);
  });

  test('the SDK sees an unknown operation as UnknownOperationException', async () => {
    // The control-plane client sent to a path KVS Local lacks: rewrite the path before signing.
    const client = controlClient(h.server.url);
    client.middlewareStack.add(
      (next) => (args) => {
        (args.request as { path: string }).path = '/describeStreamX';
        return next(args);
      },
      { step: 'build', name: 'rewritePath' },
    );
    await serviceError(client.send(new ListStreamsCommand({})), 'UnknownOperationException', 404);
    client.destroy();
  });

  test('malformed JSON is a 400 SerializationException; a body of the wrong type too', async () => {
    const bad = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/describeStream', { headers: { 'content-type': 'application/json' }, body: '{"StreamName":' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'SerializationException');
    assert.match((bad.json() as { Message: string }).Message, /not valid JSON/);
    const array = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/describeStream', { body: '[1]' }));
    assert.equal(array.headers['x-amzn-errortype'], 'SerializationException');
    const wrongType = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/describeStream', { body: '{"StreamName":5}' }));
    assert.equal(wrongType.headers['x-amzn-errortype'], 'SerializationException');
    assert.match((wrongType.json() as { Message: string }).Message, /StreamName/);
  });

  test('an empty body is an empty input', async () => {
    const response = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/listStreams'));
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { StreamInfoList: [] });
  });

  test('a body over the limit is a 413 and the connection is closed', async () => {
    const response = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/listStreams', { body: JSON.stringify({ NextToken: 'A'.repeat(2000) }) }));
    assert.equal(response.status, 413);
    assert.equal(response.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
    assert.equal(response.headers.connection, 'close');
  });

  test('an unexpected handler failure is a 500 InternalFailure without details; it is logged', async () => {
    const client = new KinesisVideoArchivedMediaClient({ region: REGION, endpoint: h.server.url, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, maxAttempts: 1 });
    const error = await serviceError(client.send(new ListFragmentsCommand({ StreamName: 'x' })), 'InternalFailure', 500);
    assert.equal(error.$fault, 'server');
    assert.doesNotMatch(error.message, /boom/);
    assert.ok(logged.some((line) => line.includes('boom: internal detail') && line.includes('/listFragments')));
    assert.ok(logged.every((line) => !line.includes(DEFAULT_LOCAL_CREDENTIALS.secretAccessKey) && !line.includes('Signature=')));
    client.destroy();
  });

  test('raw routes answer before the API, with a request id', async () => {
    const response = await send(h.server.url, { method: 'GET', path: '/hls/v1/getHLSMasterPlaylist.m3u8', query: { SessionToken: 'x' }, headers: {} });
    assert.equal(response.status, 200);
    assert.equal(response.body.toString(), '#EXTM3U\n');
    assert.match(String(response.headers['x-amzn-requestid']), UUID);
    const other = await send(h.server.url, { method: 'GET', path: '/dash/v1/getDASHManifest.mpd', headers: {} });
    assert.equal(other.status, 404);
  });

  test('every SDK response carries a request id', async () => {
    const ok = await h.control.send(new ListStreamsCommand({}));
    assert.match(ok.$metadata.requestId ?? '', UUID);
    const failed = await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'missing' })), 'ResourceNotFoundException', 404);
    assert.match(failed.$metadata.requestId ?? '', UUID);
  });
});

describe('throttling', () => {
  test('the 6th DescribeStream of one stream in quick succession is ClientLimitExceededException', async () => {
    const h = await startHarness({ throttle: {} });
    try {
      await h.control.send(new CreateStreamCommand({ StreamName: 'cam1' }));
      await h.control.send(new CreateStreamCommand({ StreamName: 'cam2' }));
      for (let i = 0; i < 5; i++) await h.control.send(new DescribeStreamCommand({ StreamName: 'cam1' }));
      const error = await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'cam1' })), 'ClientLimitExceededException', 400);
      assert.match(error.message, /DescribeStream API for resource 'cam1'/);
      // The same stream by ARN shares the bucket; another stream does not.
      const arn = (await h.control.send(new DescribeStreamCommand({ StreamName: 'cam2' }))).StreamInfo?.StreamARN;
      await h.control.send(new DescribeStreamCommand({ StreamARN: arn }));
      await h.control.send(new GetDataEndpointCommand({ StreamName: 'cam1', APIName: 'GET_MEDIA' }));
      await new Promise((resolve) => setTimeout(resolve, 250));
      await h.control.send(new DescribeStreamCommand({ StreamName: 'cam1' }));
    } finally {
      await h.close();
    }
  });

  test('limits can be raised or switched off for tests and benchmarks', async () => {
    const h = await startHarness({ throttle: { enabled: false } });
    try {
      await h.control.send(new CreateStreamCommand({ StreamName: 'cam1' }));
      await Promise.all(Array.from({ length: 20 }, () => h.control.send(new DescribeStreamCommand({ StreamName: 'cam1' }))));
    } finally {
      await h.close();
    }
  });
});

describe('media operations', () => {
  let h: Harness;
  const seen: { operation: string; body: unknown; bytes?: number; accessKeyId: string }[] = [];
  let streamingResponse: { signal?: AbortSignal; closed: Promise<void> } = { closed: Promise.resolve() };

  const putMedia: OperationHandler = {
    streaming: true,
    async handle(ctx: OperationContext) {
      let bytes = 0;
      for await (const chunk of ctx.req) bytes += (chunk as Buffer).length;
      seen.push({ operation: ctx.operation, body: ctx.body, bytes, accessKeyId: ctx.auth.accessKeyId });
      ctx.res.writeHead(200, { 'content-type': 'application/json' });
      ctx.res.end(`${JSON.stringify({ EventType: 'PERSISTED', FragmentTimecode: 0, FragmentNumber: '1' })}\n`);
    },
  };
  const getMedia: OperationHandler = {
    handle(ctx: OperationContext) {
      seen.push({ operation: ctx.operation, body: ctx.body, accessKeyId: ctx.auth.accessKeyId });
      const stream = ctx.registry.require({ streamName: (ctx.body as { StreamName?: string }).StreamName ?? '' });
      ctx.throttle.check('GetMedia', stream.streamName);
      ctx.res.writeHead(200, { 'content-type': 'video/webm' });
      ctx.res.end(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    },
  };
  const listFragments: OperationHandler = {
    handle(ctx: OperationContext) {
      seen.push({ operation: ctx.operation, body: ctx.body, accessKeyId: ctx.auth.accessKeyId });
      return { Fragments: [{ FragmentNumber: '91343852333181432392682062607743920146159169392', FragmentSizeInBytes: 1234, ProducerTimestamp: 1700000000.5, ServerTimestamp: 1700000001, FragmentLengthInMilliseconds: 2000 }] };
    },
  };
  const getClip: OperationHandler = {
    handle() {
      throw new KvsError('MissingCodecPrivateDataException', 'Missing codec private data in fragment for track 1.');
    },
  };
  const endless: OperationHandler = {
    handle(ctx: OperationContext) {
      ctx.res.writeHead(200, { 'content-type': 'application/octet-stream' });
      ctx.res.write('start');
      streamingResponse = { signal: ctx.signal, closed: new Promise((resolve) => ctx.res.on('close', () => resolve())) };
    },
  };

  before(async () => {
    h = await startHarness({ mediaOperations: { putMedia, getMedia, listFragments, getClip, getImages: endless } });
    await h.control.send(new CreateStreamCommand({ StreamName: 'cam1' }));
  });
  after(() => h.close());

  test('GetMedia through the DataEndpoint, with the SDK media client', async () => {
    const { DataEndpoint } = await h.control.send(new GetDataEndpointCommand({ StreamName: 'cam1', APIName: 'GET_MEDIA' }));
    assert.equal(DataEndpoint, h.server.url);
    const media = new KinesisVideoMediaClient({ region: REGION, endpoint: DataEndpoint, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, maxAttempts: 1 });
    const result = await media.send(new GetMediaCommand({ StreamName: 'cam1', StartSelector: { StartSelectorType: 'NOW' } }));
    assert.equal(result.ContentType, 'video/webm');
    assert.deepEqual([...((await result.Payload?.transformToByteArray()) ?? [])], [0x1a, 0x45, 0xdf, 0xa3]);
    assert.match(result.$metadata.requestId ?? '', UUID);
    assert.deepEqual(seen.at(-1), { operation: 'getMedia', body: { StreamName: 'cam1', StartSelector: { StartSelectorType: 'NOW' } }, accessKeyId: DEFAULT_LOCAL_CREDENTIALS.accessKeyId });
    await serviceError(media.send(new GetMediaCommand({ StreamName: 'nope', StartSelector: { StartSelectorType: 'NOW' } })), 'ResourceNotFoundException', 404);
    media.destroy();
  });

  test('a returned object is the JSON response; epoch-second timestamps reach the handler as numbers', async () => {
    const archived = new KinesisVideoArchivedMediaClient({ region: REGION, endpoint: h.server.url, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, maxAttempts: 1 });
    const start = new Date(1700000000123);
    const result = await archived.send(new ListFragmentsCommand({ StreamName: 'cam1', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: start, EndTimestamp: new Date(1700000060000) } } }));
    const fragment = result.Fragments?.[0];
    assert.equal(fragment?.ProducerTimestamp?.getTime(), 1700000000500);
    assert.equal(fragment?.ServerTimestamp?.getTime(), 1700000001000);
    const body = seen.at(-1)?.body as { FragmentSelector: { TimestampRange: { StartTimestamp: number; EndTimestamp: number } } };
    assert.equal(body.FragmentSelector.TimestampRange.StartTimestamp, 1700000000.123);
    assert.equal(body.FragmentSelector.TimestampRange.EndTimestamp, 1700000060);
    archived.destroy();
  });

  test('a KvsError from a media handler reaches the SDK by name', async () => {
    const response = await sendSigned(h.server.url, plainRequest(h.server.url, 'POST', '/getClip', { body: '{}' }));
    assert.equal(response.status, 400);
    assert.equal(response.headers['x-amzn-errortype'], 'MissingCodecPrivateDataException');
    assert.deepEqual(response.json(), { Message: 'Missing codec private data in fragment for track 1.', message: 'Missing codec private data in fragment for track 1.' });
  });

  test('a streaming PutMedia body reaches the handler unread, signed over the empty payload like the producer SDKs', async () => {
    const request = plainRequest(h.server.url, 'POST', '/putMedia', {
      headers: { 'x-amzn-stream-name': 'cam1', 'x-amzn-fragment-timecode-type': 'ABSOLUTE', 'x-amzn-producer-start-timestamp': '1700000000.5', 'transfer-encoding': 'chunked' },
    });
    const response = await sendSigned(h.server.url, request, { signer: signer(DEFAULT_LOCAL_CREDENTIALS, { applyChecksum: false }), body: [Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)] });
    assert.equal(response.status, 200, response.body.toString());
    assert.deepEqual(JSON.parse(response.body.toString()), { EventType: 'PERSISTED', FragmentTimecode: 0, FragmentNumber: '1' });
    assert.deepEqual(seen.at(-1), { operation: 'putMedia', body: undefined, bytes: 100_000, accessKeyId: DEFAULT_LOCAL_CREDENTIALS.accessKeyId });

    const wrong = await sendSigned(h.server.url, request, { signer: signer({ accessKeyId: DEFAULT_LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'nope' }, { applyChecksum: false }), body: [Buffer.alloc(1000)] });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers['x-amzn-errortype'], 'InvalidSignatureException');
  });

  test('close() ends long-lived responses and aborts the handlers\' signal', async () => {
    const server = h.server;
    const firstBytes = await new Promise<IncomingMessage>((resolve, reject) => {
      void signer()
        .sign(plainRequest(server.url, 'POST', '/getImages', { body: '{}' }))
        .then((signed) => {
          const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/getImages', headers: signed.headers }, resolve);
          req.on('error', reject);
          req.end('{}');
        });
    });
    assert.equal(firstBytes.statusCode, 200);
    const ended = new Promise<void>((resolve) => {
      firstBytes.on('close', () => resolve());
      firstBytes.on('error', () => resolve());
      firstBytes.resume();
    });
    assert.equal(streamingResponse.signal?.aborted, false);
    await h.close();
    await ended;
    await streamingResponse.closed;
    assert.equal(streamingResponse.signal?.aborted, true);
  });
});

describe('listening address', () => {
  test('loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('a non-loopback address with the default credentials is refused', async () => {
    const dataDir = await tempDir();
    try {
      await assert.rejects(startKvsLocal({ host: '0.0.0.0', dataDir }), /refuses to listen on 0\.0\.0\.0 with its default credentials/);
      await assert.rejects(startKvsLocal({ host: '0.0.0.0', dataDir, credentials: { ...DEFAULT_LOCAL_CREDENTIALS } }), /default credentials/);
      await assert.rejects(startKvsLocal({ host: '0.0.0.0', dataDir, credentials: { accessKeyId: 'AKIDMINE000000000000', secretAccessKey: DEFAULT_LOCAL_CREDENTIALS.secretAccessKey } }), /default credentials/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a non-loopback address with credentials of its own works, and only with those', async () => {
    const dataDir = await tempDir();
    const credentials = { accessKeyId: 'AKIDMINE000000000000', secretAccessKey: 'my-own-secret-for-the-lan' };
    const server = await startKvsLocal({ host: '0.0.0.0', dataDir, credentials, streamTransitionDelayMs: 0 });
    try {
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);
      const mine = new KinesisVideoClient({ region: REGION, endpoint: server.url, credentials: { ...credentials }, maxAttempts: 1 });
      await mine.send(new CreateStreamCommand({ StreamName: 'lan' }));
      mine.destroy();
      const defaults = controlClient(server.url);
      await serviceError(defaults.send(new ListStreamsCommand({})), 'UnrecognizedClientException', 403);
      defaults.destroy();
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('media operations may not replace control-plane operations', async () => {
    const dataDir = await tempDir();
    try {
      await assert.rejects(startKvsLocal({ dataDir, mediaOperations: { describeStream: { handle: () => ({}) } } }), /collides/);
      await assert.rejects(startKvsLocal({ dataDir, mediaOperations: { 'get/media': { handle: () => ({}) } } }), /not an operation path name/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a port in use is a clear error', async () => {
    const h = await startHarness();
    try {
      await assert.rejects(startKvsLocal({ dataDir: h.dataDir, port: h.server.port }), /port is in use/);
    } finally {
      await h.close();
    }
  });
});
