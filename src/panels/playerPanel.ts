import * as vscode from 'vscode';
import type { HostToPlayerEvents, HostToPlayerRequests, PlayerToHostEvents, PlayerToHostRequests } from '../protocol/playerProtocol';
import type { OutputLog } from '../log/outputLog';
import { connectWebview, setWebviewHtml, webviewOptions } from './webviewPanel';

/** The player webview. Playback itself arrives with the player issue; this is its shell. */
export function openPlayerPanel(context: vscode.ExtensionContext, log: OutputLog): vscode.WebviewPanel {
  const title = 'Kinesis Video Player';
  const panel = vscode.window.createWebviewPanel('kinesisVideo.player', title, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
  setWebviewHtml(panel.webview, context.extensionUri, {
    title,
    bundle: 'player',
    body: '<main id="player"><h1>Kinesis Video Player</h1><p id="status" role="status">Starting…</p></main>',
  });
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown');
  const channel = connectWebview<HostToPlayerRequests, HostToPlayerEvents, PlayerToHostRequests, PlayerToHostEvents>(panel.webview, {
    requests: { ready: () => ({ extensionVersion: version, title }) },
    events: { log: ({ level, message }) => log[level](`player: ${message}`) },
  });
  panel.onDidDispose(() => channel.dispose());
  return panel;
}
