import * as vscode from 'vscode';
import type { StreamInfo } from '@aws-sdk/client-kinesis-video';
import { describeConnection, type Connection } from '../config/connections';
import type { ConnectionClients } from '../kvs/clients';
import { listAllStreams } from '../kvs/listStreams';

export type TreeNode =
  | { kind: 'connection'; connection: Connection }
  | { kind: 'stream'; connection: Connection; stream: StreamInfo }
  | { kind: 'message'; text: string; detail?: string; error?: boolean };

/**
 * The Kinesis Video tree: connections, and the streams of each. While there is no connection the
 * tree is empty and VS Code shows the welcome content (`viewsWelcome` in package.json).
 */
export class StreamsTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly loadConnections: () => Connection[],
    private readonly clientsFor: (connection: Connection) => ConnectionClients,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection': {
        const item = new vscode.TreeItem(node.connection.label, vscode.TreeItemCollapsibleState.Expanded);
        item.description = describeConnection(node.connection);
        item.iconPath = new vscode.ThemeIcon(node.connection.kind === 'aws' ? 'cloud' : 'server-process');
        item.contextValue = `connection.${node.connection.kind}`;
        return item;
      }
      case 'stream': {
        const { stream } = node;
        const item = new vscode.TreeItem(stream.StreamName ?? '(unnamed)', vscode.TreeItemCollapsibleState.None);
        item.description = [stream.Status !== 'ACTIVE' ? stream.Status : undefined, stream.MediaType, retention(stream)].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(
          [`**${stream.StreamName}**`, `ARN: \`${stream.StreamARN}\``, `Status: ${stream.Status}`, `Created: ${stream.CreationTime?.toISOString() ?? '?'}`, `Retention: ${retention(stream)}`].join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon('device-camera-video');
        item.contextValue = 'stream';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        return item;
      }
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.loadConnections().map((connection) => ({ kind: 'connection', connection }));
    if (node.kind !== 'connection') return [];
    try {
      const streams = await listAllStreams(this.clientsFor(node.connection));
      if (streams.length === 0) return [{ kind: 'message', text: 'No streams' }];
      return streams.map((stream) => ({ kind: 'stream', connection: node.connection, stream }));
    } catch (error) {
      return [{ kind: 'message', text: `Cannot list streams: ${errorText(error)}`, detail: connectionHint(node.connection), error: true }];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function retention(stream: StreamInfo): string {
  const hours = stream.DataRetentionInHours ?? 0;
  return hours === 0 ? 'no retention' : `${hours} h retention`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

function connectionHint(connection: Connection): string {
  return connection.kind === 'local'
    ? `Is KVS Local running at ${connection.endpoint}? Run "Kinesis Video: Start KVS Local".`
    : `Check the credentials of ${connection.profile ? `profile "${connection.profile}"` : 'the default credential chain'} and the region ${connection.region}.`;
}
