// SigV4 verification against AWS's published test vector and the reference signer of the AWS SDK
// (@smithy/signature-v4), for header-signed and presigned requests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { HttpRequest } from '@smithy/types';
import { KvsError } from '../../../../src/local/http/errors';
import type { PayloadSpec, SignedRequest, SigV4Credentials } from '../../../../src/local/http/sigv4';
import { EMPTY_PAYLOAD_SHA256, formatAmzDate, parseAmzDate, verifySigV4 } from '../../../../src/local/http/sigv4';
import { DEFAULT_LOCAL_CREDENTIALS } from '../../../../src/local/server';
import type { PlainRequest } from './harness';
import { plainRequest, requestTarget, signer } from './harness';

const URL_BASE = 'http://127.0.0.1:4587';
const CREDS: SigV4Credentials = DEFAULT_LOCAL_CREDENTIALS;
const NOW = Date.UTC(2026, 0, 15, 10, 30, 0);
const SIGNING_DATE = new Date(NOW);

function toSignedRequest(request: HttpRequest | PlainRequest): SignedRequest {
  const rawHeaders = Object.entries(request.headers).flatMap(([name, value]) => [name, value]);
  return { method: request.method, url: requestTarget({ path: request.path, query: (request.query ?? {}) as Record<string, string | string[] | null> }), rawHeaders };
}

function body(request: PlainRequest): PayloadSpec {
  return { kind: 'buffered', body: typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? new Uint8Array()) };
}

function rejects(fn: () => unknown, name: string, message?: RegExp): KvsError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof KvsError, `expected a KvsError, got ${String(error)}`);
    assert.equal(error.name, name, error.message);
    assert.equal(error.status, 403);
    if (message !== undefined) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${name}`);
}

function jsonPost(path = '/describeStream', json = '{"StreamName":"cam1"}'): PlainRequest {
  return plainRequest(URL_BASE, 'POST', path, { headers: { 'content-type': 'application/json' }, body: json });
}

describe('AWS SigV4 test suite vectors', () => {
  // From the AWS Signature Version 4 test suite (get-vanilla, get-vanilla-query-order-key-case).
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const now = Date.UTC(2015, 7, 30, 12, 36, 0);
  const vector = (url: string, signature: string): SignedRequest => ({
    method: 'GET',
    url,
    rawHeaders: [
      'Host',
      'example.amazonaws.com',
      'X-Amz-Date',
      '20150830T123600Z',
      'Authorization',
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    ],
  });

  test('get-vanilla', () => {
    const result = verifySigV4(vector('/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), { credentials: creds, service: 'service', now, payload: { kind: 'buffered', body: new Uint8Array() } });
    assert.deepEqual(result, { accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', signedHeaders: ['host', 'x-amz-date'], presigned: false, payloadHash: EMPTY_PAYLOAD_SHA256 });
  });

  test('get-vanilla-query-order-key-case', () => {
    verifySigV4(vector('/?Param2=value2&Param1=value1', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'), { credentials: creds, service: 'service', now, payload: { kind: 'buffered', body: new Uint8Array() } });
  });

  test('a changed signature is InvalidSignatureException with the canonical request to compare against', () => {
    const error = rejects(
      () => verifySigV4(vector('/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30'), { credentials: creds, service: 'service', now, payload: { kind: 'buffered', body: new Uint8Array() } }),
      'InvalidSignatureException',
      /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./,
    );
    assert.ok(error.message.includes("'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'"), error.message);
    assert.ok(!error.message.includes(creds.secretAccessKey));
  });
});

describe('header-signed requests (reference signer)', () => {
  test('a JSON POST as the SDK signs it', async () => {
    const request = jsonPost();
    const signed = await signer().sign(request, { signingDate: SIGNING_DATE });
    assert.ok(signed.headers['x-amz-content-sha256'] !== undefined);
    const result = verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: body(request) });
    assert.equal(result.accessKeyId, CREDS.accessKeyId);
    assert.equal(result.region, 'us-east-1');
    assert.equal(result.presigned, false);
    assert.equal(result.payloadHash, createHash('sha256').update(request.body ?? '').digest('hex'));
  });

  test('paths and queries that need encoding, and header values with runs of spaces', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/hls/v1/a%20b/%E2%82%AC/x%2Fy', {
      query: { 'b key': 'v/1', a: ['z', 'y=1'], empty: '', 'ünï': '~*!' },
      headers: { 'x-amz-meta': '  two   spaces\tand tab  ', 'content-type': 'application/json' },
      body: '{}',
    });
    const signed = await signer().sign(request, { signingDate: SIGNING_DATE });
    verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: body(request) });
  });

  test('without x-amz-content-sha256 the body hash is computed, so a changed body fails', async () => {
    const request = jsonPost();
    const signed = await signer(CREDS, { applyChecksum: false }).sign(request, { signingDate: SIGNING_DATE });
    assert.equal(signed.headers['x-amz-content-sha256'], undefined);
    verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: body(request) });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'buffered', body: Buffer.from('{"StreamName":"cam2"}') } }), 'InvalidSignatureException', /does not match the signature/);
  });

  test('a body that does not match x-amz-content-sha256 fails', async () => {
    const signed = await signer().sign(jsonPost(), { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'buffered', body: Buffer.from('{"StreamName":"cam2"}') } }), 'InvalidSignatureException', /x-amz-content-sha256/);
  });

  test('a wrong secret is InvalidSignatureException; an unknown key is UnrecognizedClientException', async () => {
    const request = jsonPost();
    const wrongSecret = await signer({ accessKeyId: CREDS.accessKeyId, secretAccessKey: 'wrong' }).sign(request, { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(wrongSecret), { credentials: CREDS, now: NOW, payload: body(request) }), 'InvalidSignatureException', /does not match/);
    const unknownKey = await signer({ accessKeyId: 'AKIDSOMEONEELSE00000', secretAccessKey: CREDS.secretAccessKey }).sign(request, { signingDate: SIGNING_DATE });
    const error = rejects(() => verifySigV4(toSignedRequest(unknownKey), { credentials: CREDS, now: NOW, payload: body(request) }), 'UnrecognizedClientException');
    assert.equal(error.message, 'The security token included in the request is invalid.');
  });

  test('the signing date must be within 15 minutes of the server clock', async () => {
    const request = jsonPost();
    const signedAt = async (offsetMs: number): Promise<SignedRequest> => toSignedRequest(await signer().sign(request, { signingDate: new Date(NOW + offsetMs) }));
    verifySigV4(await signedAt(-14 * 60_000), { credentials: CREDS, now: NOW, payload: body(request) });
    verifySigV4(await signedAt(14 * 60_000), { credentials: CREDS, now: NOW, payload: body(request) });
    const late = verifyError(await signedAt(-16 * 60_000), request);
    assert.equal(late.message, 'Signature expired: 20260115T101400Z is now earlier than 20260115T101500Z (20260115T103000Z - 15 min.)');
    const early = verifyError(await signedAt(16 * 60_000), request);
    assert.equal(early.message, 'Signature not yet current: 20260115T104600Z is still later than 20260115T104500Z (20260115T103000Z + 15 min.)');
  });

  test('the credential scope must name kinesisvideo and aws4_request', async () => {
    const request = jsonPost();
    const signed = await signer(CREDS, { service: 'kinesis' }).sign(request, { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: body(request) }), 'InvalidSignatureException', /correct service: 'kinesisvideo'/);
  });

  test('host must be signed', async () => {
    const request = jsonPost();
    const signed = await signer().sign(request, { signingDate: SIGNING_DATE, unsignableHeaders: new Set(['host']) });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: body(request) }), 'InvalidSignatureException', /'Host'/);
  });

  test('a configured session token is required and must match', async () => {
    const request = jsonPost();
    const credentials = { ...CREDS, sessionToken: 'local-session-token' };
    const withToken = await signer(credentials).sign(request, { signingDate: SIGNING_DATE });
    verifySigV4(toSignedRequest(withToken), { credentials, now: NOW, payload: body(request) });
    const without = await signer().sign(request, { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(without), { credentials, now: NOW, payload: body(request) }), 'UnrecognizedClientException');
    const otherToken = await signer({ ...CREDS, sessionToken: 'another-token' }).sign(request, { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(otherToken), { credentials, now: NOW, payload: body(request) }), 'UnrecognizedClientException');
    // Without a configured token, a token sent along is accepted (it is signed like any header).
    verifySigV4(toSignedRequest(withToken), { credentials: CREDS, now: NOW, payload: body(request) });
  });

  test('missing or malformed Authorization', () => {
    const base = { method: 'POST', url: '/describeStream' };
    const payload: PayloadSpec = { kind: 'buffered', body: new Uint8Array() };
    rejects(() => verifySigV4({ ...base, rawHeaders: ['Host', 'h'] }, { credentials: CREDS, now: NOW, payload }), 'MissingAuthenticationTokenException');
    rejects(
      () => verifySigV4({ ...base, rawHeaders: ['Host', 'h', 'X-Amz-Date', formatAmzDate(NOW), 'Authorization', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host'] }, { credentials: CREDS, now: NOW, payload }),
      'IncompleteSignatureException',
      /'Signature'/,
    );
    rejects(() => verifySigV4({ ...base, rawHeaders: ['Host', 'h', 'Authorization', 'AWS4-ECDSA-P256-SHA256 Credential=x'] }, { credentials: CREDS, now: NOW, payload }), 'IncompleteSignatureException', /algorithm/);
    rejects(
      () => verifySigV4({ ...base, rawHeaders: ['Host', 'h', 'Authorization', `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/20260115/us-east-1/kinesisvideo/aws4_request, SignedHeaders=host, Signature=00`] }, { credentials: CREDS, now: NOW, payload }),
      'IncompleteSignatureException',
      /X-Amz-Date/,
    );
  });
});

describe('streaming payloads (PutMedia)', () => {
  test('signed over the empty payload, as the producer libraries do', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/putMedia', { headers: { 'x-amzn-stream-name': 'cam1', 'transfer-encoding': 'chunked' } });
    const signed = await signer(CREDS, { applyChecksum: false }).sign(request, { signingDate: SIGNING_DATE });
    const result = verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'streaming' } });
    assert.equal(result.payloadHash, EMPTY_PAYLOAD_SHA256);
  });

  test('signed as UNSIGNED-PAYLOAD', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/putMedia', { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const signed = await signer().sign(request, { signingDate: SIGNING_DATE });
    assert.equal(verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'streaming' } }).payloadHash, 'UNSIGNED-PAYLOAD');
  });

  test('aws-chunked signing is refused with an explanation', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/putMedia', { headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' } });
    const signed = await signer().sign(request, { signingDate: SIGNING_DATE });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'streaming' } }), 'IncompleteSignatureException', /aws-chunked/);
  });

  test('explicit payload hashes', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/putMedia');
    const signed = await signer(CREDS, { applyChecksum: false }).sign(request, { signingDate: SIGNING_DATE });
    verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'hashes', hashes: [EMPTY_PAYLOAD_SHA256] } });
    rejects(() => verifySigV4(toSignedRequest(signed), { credentials: CREDS, now: NOW, payload: { kind: 'hashes', hashes: ['UNSIGNED-PAYLOAD'] } }), 'InvalidSignatureException');
  });
});

describe('presigned requests', () => {
  const playlist = (): PlainRequest => plainRequest(URL_BASE, 'GET', '/hls/v1/getHLSMasterPlaylist.m3u8', { query: { SessionToken: 'CiAbc-_~' } });

  test('a presigned GET is valid until it expires', async () => {
    const presigned = await signer().presign(playlist(), { signingDate: SIGNING_DATE, expiresIn: 300 });
    const request = toSignedRequest(presigned);
    assert.match(request.url, /X-Amz-Signature=/);
    const result = verifySigV4(request, { credentials: CREDS, now: NOW + 299_000, payload: { kind: 'buffered', body: new Uint8Array() } });
    assert.equal(result.presigned, true);
    rejects(() => verifySigV4(request, { credentials: CREDS, now: NOW + 301_000, payload: { kind: 'buffered', body: new Uint8Array() } }), 'InvalidSignatureException', /expired/);
    rejects(() => verifySigV4(request, { credentials: CREDS, now: NOW - 16 * 60_000, payload: { kind: 'buffered', body: new Uint8Array() } }), 'InvalidSignatureException', /not yet current/);
  });

  test('a changed query parameter breaks the signature', async () => {
    const presigned = await signer().presign(playlist(), { signingDate: SIGNING_DATE, expiresIn: 300 });
    const request = toSignedRequest(presigned);
    const tampered = { ...request, url: request.url.replace('SessionToken=CiAbc', 'SessionToken=CiAbd') };
    rejects(() => verifySigV4(tampered, { credentials: CREDS, now: NOW, payload: { kind: 'buffered', body: new Uint8Array() } }), 'InvalidSignatureException', /does not match/);
  });

  test('a presigned streaming PutMedia', async () => {
    const request = plainRequest(URL_BASE, 'POST', '/putMedia', { headers: { 'x-amzn-stream-name': 'cam1' } });
    const presigned = await signer().presign(request, { signingDate: SIGNING_DATE, expiresIn: 60 });
    verifySigV4(toSignedRequest(presigned), { credentials: CREDS, now: NOW, payload: { kind: 'streaming' } });
  });

  test('presigned with an unknown key', async () => {
    const presigned = await signer({ accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' }).presign(playlist(), { signingDate: SIGNING_DATE, expiresIn: 60 });
    rejects(() => verifySigV4(toSignedRequest(presigned), { credentials: CREDS, now: NOW, payload: { kind: 'buffered', body: new Uint8Array() } }), 'UnrecognizedClientException');
  });
});

test('amz dates round-trip', () => {
  assert.equal(formatAmzDate(NOW), '20260115T103000Z');
  assert.equal(parseAmzDate('20260115T103000Z'), NOW);
  assert.equal(parseAmzDate('2026-01-15T10:30:00Z'), undefined);
});

function verifyError(request: SignedRequest, plain: PlainRequest): KvsError {
  return rejects(() => verifySigV4(request, { credentials: CREDS, now: NOW, payload: body(plain) }), 'InvalidSignatureException');
}
