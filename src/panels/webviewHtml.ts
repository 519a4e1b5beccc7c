/**
 * HTML for every webview: a strict Content-Security-Policy where scripts run only with the page's
 * nonce, styles and fonts only from the extension's own resources, and nothing else unless a panel
 * asks for it (a player needs `connect-src`/`media-src` for the stream it plays).
 */

export interface CspSources {
  /** `webview.cspSource`: the origin of the extension's local resources. */
  cspSource: string;
  nonce: string;
  /** Extra `connect-src` origins (stream endpoints). */
  connect?: readonly string[];
  /** Extra `media-src` origins; `blob:` is always allowed for Media Source Extensions. */
  media?: readonly string[];
}

export function contentSecurityPolicy(sources: CspSources): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': [`'nonce-${sources.nonce}'`],
    'style-src': [sources.cspSource],
    'font-src': [sources.cspSource],
    'img-src': [sources.cspSource, 'data:', 'blob:'],
    'media-src': [sources.cspSource, 'blob:', ...(sources.media ?? [])],
    'connect-src': [sources.cspSource, ...(sources.connect ?? [])],
    'worker-src': ['blob:'],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

export interface WebviewPage extends CspSources {
  title: string;
  scriptUris: readonly string[];
  styleUris: readonly string[];
  /** Markup of the page body; its text must already be escaped. */
  body: string;
}

export function renderWebviewHtml(page: WebviewPage): string {
  const styles = page.styleUris.map((uri) => `<link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n    ');
  const scripts = page.scriptUris
    .map((uri) => `<script nonce="${page.nonce}" src="${escapeHtml(uri)}"></script>`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(page))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(page.title)}</title>
  </head>
  <body>
    ${page.body}
    ${scripts}
  </body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters from a cryptographic source; a fresh one for every render. */
export function createNonce(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(32));
  let nonce = '';
  for (const byte of bytes) nonce += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
  return nonce;
}
