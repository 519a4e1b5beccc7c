import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEnabled, parseLogLevel } from '../../../src/log/logLevel';

test('log levels filter by severity', () => {
  assert.equal(isEnabled('error', 'info'), true);
  assert.equal(isEnabled('debug', 'info'), false);
  assert.equal(isEnabled('debug', 'debug'), true);
  assert.equal(isEnabled('info', 'error'), false);
});

test('an unknown level setting falls back to info', () => {
  assert.equal(parseLogLevel('verbose'), 'info');
  assert.equal(parseLogLevel('warn'), 'warn');
});
