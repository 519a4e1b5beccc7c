import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, createNonce, renderWebviewHtml } from '../../../src/panels/webviewHtml';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name ?? '', values];
  }));
}

test('scripts run only with the nonce; nothing loads from elsewhere by default', () => {
  const csp = directives(contentSecurityPolicy({ cspSource, nonce: 'abc' }));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), ["'nonce-abc'"]);
  assert.deepEqual(csp.get('style-src'), [cspSource]);
  assert.deepEqual(csp.get('connect-src'), [cspSource]);
  assert.ok(![...csp.values()].flat().some((value) => value === "'unsafe-inline'" || value === "'unsafe-eval'" || value === '*'));
});

test('a player adds its stream origins to connect-src and media-src', () => {
  const origin = 'https://*.kinesisvideo.us-west-2.amazonaws.com';
  const csp = directives(contentSecurityPolicy({ cspSource, nonce: 'n', connect: [origin], media: [origin] }));
  assert.deepEqual(csp.get('connect-src'), [cspSource, origin]);
  assert.deepEqual(csp.get('media-src'), [cspSource, 'blob:', origin]);
});

test('the page carries the CSP, the nonce on every script, and escapes the title', () => {
  const html = renderWebviewHtml({
    cspSource,
    nonce: 'N0nce',
    title: 'Stream <demo> & "cam"',
    scriptUris: ['https://res/dist/webview/player.js'],
    styleUris: ['https://res/media/webview.css'],
    body: '<main></main>',
  });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-N0nce&#39;/);
  assert.match(html, /<script nonce="N0nce" src="https:\/\/res\/dist\/webview\/player.js"><\/script>/);
  assert.match(html, /<title>Stream &lt;demo&gt; &amp; &quot;cam&quot;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});

test('nonces are 32 characters and differ between renders', () => {
  const a = createNonce();
  const b = createNonce();
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
});
