import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { activeWebview, activityBarItem, errorToasts, extensionHostLog, openWorkbench, outputChannelLog, runCommand, screenshot, toast, type Workbench } from './workbench';

let workbench: Workbench;

before(async () => {
  workbench = await openWorkbench();
});

after(async () => {
  await workbench?.close();
});

test('the Kinesis Video view container opens from the activity bar', async () => {
  const { page } = workbench;
  await activityBarItem(page, 'Kinesis Video').click();
  await page.locator('.part.sidebar .composite.title').getByText('Kinesis Video: Streams').waitFor();
  await screenshot(page, '01-view-container');
});

test('the empty tree shows the welcome content with both buttons', async () => {
  const { page } = workbench;
  const welcome = page.locator('.welcome-view-content');
  await welcome.getByText('No Kinesis Video connections yet.').waitFor();
  assert.equal(await welcome.getByRole('button', { name: 'Add AWS Connection' }).count(), 1);
  assert.equal(await welcome.getByRole('button', { name: 'Start KVS Local' }).count(), 1);
  await screenshot(page, '02-welcome');
});

test('clicking "Add AWS Connection" answers without an error notification', async () => {
  const { page } = workbench;
  await page.locator('.welcome-view-content').getByRole('button', { name: 'Add AWS Connection' }).click();
  await toast(page, 'Kinesis Video: Adding an AWS connection is coming soon.').waitFor();
  await screenshot(page, '03-clicked-add-aws-connection');
  assert.equal(await errorToasts(page).count(), 0);
});

test('clicking "Start KVS Local" starts it and the tree shows its demo stream', async () => {
  const { page } = workbench;
  await page.locator('.welcome-view-content').getByRole('button', { name: 'Start KVS Local' }).click();
  await toast(page, /^KVS Local is running at http:\/\/127\.0\.0\.1:\d+ with the live stream "demo"\.$/).waitFor({ timeout: 60_000 });
  const tree = page.locator('.part.sidebar .monaco-list');
  await tree.getByRole('treeitem', { name: /KVS Local/ }).waitFor();
  await tree.getByRole('treeitem', { name: /^demo/ }).waitFor({ timeout: 30_000 });
  await screenshot(page, '04-kvs-local-started');
  assert.equal(await errorToasts(page).count(), 0);
});

test('the player webview renders under its CSP and talks to the extension host', async () => {
  const { page } = workbench;
  await runCommand(page, 'Kinesis Video: Open Player');
  const status = activeWebview(page).locator('#status');
  await status.getByText(/Connected to Kinesis Video Inspector \d+\.\d+\.\d+/).waitFor({ timeout: 30_000 });
  await screenshot(page, '05-player-webview');
  assert.equal(await errorToasts(page).count(), 0);
});

test('the extension activated without errors in the extension host log', () => {
  const { server } = workbench;
  assert.match(outputChannelLog(server.userDataDir, 'Kinesis Video'), /Kinesis Video Inspector activated/);
  const hostLog = extensionHostLog(server.userDataDir);
  assert.match(hostLog, /_doActivateExtension kinesis-video-inspector\.kinesis-video-inspector/);
  const problems = hostLog
    .split('\n')
    .filter((line) => /\[error\]/i.test(line) && /kinesis-video-inspector/i.test(line));
  assert.deepEqual(problems, []);
});
