import * as vscode from 'vscode';
import { isEnabled, parseLogLevel, type LogLevel } from './logLevel';
import { redactSecrets } from './redact';

/** The "Kinesis Video" output channel. Every message is redacted before it is written. */
export class OutputLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Kinesis Video');
  private threshold: LogLevel = 'info';

  setLevel(level: unknown): void {
    this.threshold = parseLogLevel(level);
  }

  error(message: string): void {
    this.write('error', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  debug(message: string): void {
    this.write('debug', message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private write(level: LogLevel, message: string): void {
    if (!isEnabled(level, this.threshold)) return;
    this.channel.appendLine(`${new Date().toISOString()} [${level}] ${redactSecrets(message)}`);
  }
}
