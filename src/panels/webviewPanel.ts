import * as vscode from 'vscode';
import type { EventMap, RequestMap, ChannelOptions, Transport } from '../protocol/channel';
import { MessageChannel, type Envelope } from '../protocol/channel';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/** Bundles live in dist/webview; shared CSS, icons and fonts in media/. Nothing else is readable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export interface PanelPage {
  title: string;
  /** Bundle name under dist/webview, without `.js`. */
  bundle: string;
  body: string;
  connect?: readonly string[];
  media?: readonly string[];
}

export function setWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: PanelPage): void {
  const asUri = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  webview.html = renderWebviewHtml({
    title: page.title,
    cspSource: webview.cspSource,
    nonce: createNonce(),
    connect: page.connect,
    media: page.media,
    styleUris: [asUri('media', 'webview.css')],
    scriptUris: [asUri('dist', 'webview', `${page.bundle}.js`)],
    body: page.body,
  });
}

export function webviewTransport(webview: vscode.Webview): Transport {
  return {
    post: (message: Envelope) => void webview.postMessage(message),
    listen: (receive) => webview.onDidReceiveMessage(receive),
  };
}

/** The host's end of a webview's message channel. */
export function connectWebview<
  OutRequests extends RequestMap,
  OutEvents extends EventMap,
  InRequests extends RequestMap,
  InEvents extends EventMap,
>(
  webview: vscode.Webview,
  options: ChannelOptions<InRequests, InEvents>,
): MessageChannel<OutRequests, OutEvents, InRequests, InEvents> {
  return new MessageChannel(webviewTransport(webview), options);
}
