import * as vscode from 'vscode';
import { describeConnection, type Connection } from '../config/connections';

/**
 * The Kinesis Video tree: connections at the top level. While there is none, the tree is empty and
 * VS Code shows the welcome content (`viewsWelcome` in package.json).
 */
export class StreamsTreeProvider implements vscode.TreeDataProvider<Connection> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly loadConnections: () => Connection[]) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(connection: Connection): vscode.TreeItem {
    const item = new vscode.TreeItem(connection.label, vscode.TreeItemCollapsibleState.None);
    item.description = describeConnection(connection);
    item.iconPath = new vscode.ThemeIcon(connection.kind === 'aws' ? 'cloud' : 'server-process');
    item.contextValue = `connection.${connection.kind}`;
    return item;
  }

  getChildren(element?: Connection): Connection[] {
    return element ? [] : this.loadConnections();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
