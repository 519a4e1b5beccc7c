import * as vscode from 'vscode';
import { parseConnections, type Connection } from './config/connections';
import { comingSoon } from './commands/comingSoon';
import { LocalServerCommand } from './commands/startLocal';
import { ConnectionClients } from './kvs/clients';
import { OutputLog } from './log/outputLog';
import { openPlayerPanel } from './panels/playerPanel';
import { StreamsTreeProvider } from './views/streamsTree';

const SECTION = 'kinesisVideo';

/** Composition root: wires settings, the tree, the commands and the panels together. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new OutputLog();
  const settings = () => vscode.workspace.getConfiguration(SECTION);
  log.setLevel(settings().get('logLevel'));

  const loadConnections = () => {
    const { connections, problems } = parseConnections(settings().get('connections'));
    for (const problem of problems) log.warn(`Skipped a saved connection: ${problem}`);
    return connections;
  };
  const clients = new Map<string, ConnectionClients>();
  const clientsFor = (connection: Connection) => {
    const key = JSON.stringify(connection);
    let found = clients.get(key);
    if (!found) clients.set(key, (found = new ConnectionClients(connection)));
    return found;
  };
  const tree = new StreamsTreeProvider(loadConnections, clientsFor);
  const localServer = new LocalServerCommand(context, log, () => tree.refresh());

  context.subscriptions.push(
    log,
    tree,
    localServer,
    { dispose: () => clients.forEach((client) => client.dispose()) },
    vscode.window.registerTreeDataProvider(`${SECTION}.streams`, tree),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.logLevel`)) log.setLevel(settings().get('logLevel'));
      if (event.affectsConfiguration(`${SECTION}.connections`)) tree.refresh();
    }),
    vscode.commands.registerCommand(`${SECTION}.addConnection`, comingSoon('Adding an AWS connection')),
    vscode.commands.registerCommand(`${SECTION}.startLocal`, localServer.run),
    vscode.commands.registerCommand(`${SECTION}.refresh`, () => tree.refresh()),
    vscode.commands.registerCommand(`${SECTION}.showLog`, () => log.show()),
    vscode.commands.registerCommand(`${SECTION}.openPlayer`, () => openPlayerPanel(context, log)),
  );
  log.info('Kinesis Video Inspector activated');
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
