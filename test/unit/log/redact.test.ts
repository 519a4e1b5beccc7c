import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from '../../../src/log/redact';

test('a session token in an HLS URL is redacted, the rest of the URL is kept', () => {
  const url = 'https://b-1234.kinesisvideo.us-west-2.amazonaws.com/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=CiBzZWNyZXQ~~&Other=1';
  assert.equal(
    redactSecrets(`GET ${url}`),
    'GET https://b-1234.kinesisvideo.us-west-2.amazonaws.com/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=<redacted>&Other=1',
  );
});

test('presigned query credentials and JSON secrets are redacted', () => {
  assert.equal(redactSecrets('?X-Amz-Signature=abc&X-Amz-Credential=AKID%2F2026'), '?X-Amz-Signature=<redacted>&X-Amz-Credential=<redacted>');
  assert.equal(redactSecrets('{"SessionToken": "tok", "SecretAccessKey":"s3cr3t"}'), '{"SessionToken": "<redacted>", "SecretAccessKey":"<redacted>"}');
});

test('text without secrets is unchanged', () => {
  const line = 'ListFragments demo: 12 fragments';
  assert.equal(redactSecrets(line), line);
});
