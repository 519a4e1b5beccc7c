/** Shared steps of the real-VS-Code tests: start code-server with the .vsix, open it in Chromium. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/vscode/codeServer';

export const CHROMIUM = process.env.KVS_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const RESULTS_DIR = 'test-results';

export interface Workbench {
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the E2E tests with "npm run test:e2e"`);
  return value;
}

export async function openWorkbench(settings: Record<string, unknown> = {}): Promise<Workbench> {
  const profileDir = mkdtempSync(join(tmpdir(), 'kvs-e2e-'));
  const workspace = join(profileDir, 'workspace');
  mkdirSync(workspace);
  const server = await startCodeServer({
    tools: { node: requiredEnv('KVS_E2E_NODE'), entry: requiredEnv('KVS_E2E_CODE_SERVER') },
    profileDir,
    workspace,
    vsix: requiredEnv('KVS_E2E_VSIX'),
    settings,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.workspaceUrl);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.stop();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
}

export function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.activitybar .action-item a.action-label[aria-label^="${title}"]`);
}

/** Notification toasts that VS Code shows with the error icon. */
export function errorToasts(page: Page): Locator {
  return page.locator('.notification-toast .notification-list-item:has(.codicon-error)');
}

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast .notification-list-item-message').filter({ hasText: text });
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The content frame of the active webview (VS Code nests it two iframes deep). */
export function activeWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Every extension-host log line that code-server wrote for this instance. */
export function extensionHostLog(userDataDir: string): string {
  return findFiles(join(userDataDir, 'logs'), (name) => /exthost.*\.log$/i.test(name))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** The lines written to an output channel, e.g. "Kinesis Video". */
export function outputChannelLog(userDataDir: string, channel: string): string {
  return findFiles(join(userDataDir, 'logs'), (name) => name.endsWith(`-${channel}.log`))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

function findFiles(dir: string, match: (name: string) => boolean): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? findFiles(path, match) : match(name) ? [path] : [];
  });
}
