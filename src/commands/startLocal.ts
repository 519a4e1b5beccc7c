import * as vscode from 'vscode';
import { parseConnections, type Connection } from '../config/connections';
import type { OutputLog } from '../log/outputLog';
import { startLocalServer, type LocalServer } from './localServerProcess';

export const LOCAL_CONNECTION_LABEL = 'KVS Local';

/** `kinesisVideo.startLocal`: runs KVS Local with its demo stream and adds a connection to it. */
export class LocalServerCommand implements vscode.Disposable {
  private server: LocalServer | undefined;
  private starting: Promise<LocalServer> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
    private readonly onConnectionsChanged: () => void,
  ) {}

  readonly run = async (): Promise<void> => {
    try {
      const server = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Starting KVS Local…' }, () => this.ensureRunning());
      await saveLocalConnection(server.url);
      this.onConnectionsChanged();
      void vscode.window.showInformationMessage(`KVS Local is running at ${server.url} with the live stream "demo".`);
    } catch (error) {
      this.log.error(`KVS Local failed to start: ${String(error)}`);
      void vscode.window.showErrorMessage(`Kinesis Video: KVS Local failed to start. ${error instanceof Error ? error.message : String(error)}`, 'Show Log').then((choice) => {
        if (choice) this.log.show();
      });
    }
  };

  private ensureRunning(): Promise<LocalServer> {
    if (this.server && this.server.process.exitCode === null) return Promise.resolve(this.server);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<LocalServer> {
    const dataDir = vscode.Uri.joinPath(this.context.globalStorageUri, 'kvs-local').fsPath;
    const cliPath = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'cli', 'kvs-local.js').fsPath;
    const port = vscode.workspace.getConfiguration('kinesisVideo').get<number>('local.port', 4587);
    const options = { cliPath, dataDir, demo: true, onLine: (line: string) => this.log.info(`kvs-local: ${line}`) };
    try {
      this.server = await startLocalServer({ ...options, port });
    } catch (error) {
      // The configured port may be taken (another KVS Local, another tool): take any free one.
      this.log.warn(`KVS Local could not use port ${port} (${String(error)}); trying a free port`);
      this.server = await startLocalServer({ ...options, port: 0 });
    }
    this.server.process.once('exit', (code) => this.log.info(`KVS Local stopped (exit code ${code})`));
    return this.server;
  }

  dispose(): void {
    void this.server?.stop();
  }
}

/** Adds (or points at the new URL) the "KVS Local" connection in the user settings. */
async function saveLocalConnection(endpoint: string): Promise<void> {
  const settings = vscode.workspace.getConfiguration('kinesisVideo');
  const raw = settings.get<unknown[]>('connections', []);
  const { connections } = parseConnections(raw);
  const local: Connection = { kind: 'local', label: LOCAL_CONNECTION_LABEL, endpoint };
  const others = connections.filter((connection) => !(connection.kind === 'local' && connection.label === LOCAL_CONNECTION_LABEL));
  if (connections.some((connection) => connection.kind === 'local' && connection.label === LOCAL_CONNECTION_LABEL && connection.endpoint === endpoint)) return;
  await settings.update('connections', [local, ...others], vscode.ConfigurationTarget.Global);
}
