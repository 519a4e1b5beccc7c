import * as vscode from 'vscode';

/** Commands whose feature has not landed yet answer with a notice instead of failing. */
export function comingSoon(feature: string): () => Promise<void> {
  return async () => {
    await vscode.window.showInformationMessage(`Kinesis Video: ${feature} is coming soon.`);
  };
}
