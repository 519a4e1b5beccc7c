import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeConnection, parseConnections } from '../../../src/config/connections';

test('valid aws and local connections are read', () => {
  const { connections, problems } = parseConnections([
    { kind: 'aws', label: 'prod', profile: 'cam', region: 'us-west-2' },
    { kind: 'local', label: 'KVS Local', endpoint: 'http://127.0.0.1:4587' },
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(connections.map(describeConnection), ['cam · us-west-2', 'http://127.0.0.1:4587']);
});

test('bad entries are skipped with a message naming the entry and field', () => {
  const { connections, problems } = parseConnections([
    { kind: 'aws', label: 'no region' },
    { kind: 'local', label: 'x', endpoint: 'ftp://host' },
    { kind: 'gcp', label: 'y' },
    'nonsense',
    { kind: 'aws', label: 'ok', region: 'eu-west-1' },
  ]);
  assert.deepEqual(connections, [{ kind: 'aws', label: 'ok', region: 'eu-west-1' }]);
  assert.deepEqual(problems, [
    'kinesisVideo.connections[0].region is required for an aws connection',
    'kinesisVideo.connections[1].endpoint must be an http(s) URL',
    'kinesisVideo.connections[2].kind must be "aws" or "local"',
    'kinesisVideo.connections[3] must be an object',
  ]);
});

test('a setting that is not an array is reported', () => {
  assert.deepEqual(parseConnections({}).problems, ['kinesisVideo.connections must be an array']);
  assert.deepEqual(parseConnections(undefined), { connections: [], problems: [] });
});
