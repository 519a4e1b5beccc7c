import type { RequestSpec } from './channel';

/** Requests the player webview sends to the extension host. */
export type PlayerToHostRequests = {
  ready: RequestSpec<Record<string, never>, PlayerInit>;
};

/** Events the player webview sends to the extension host. */
export type PlayerToHostEvents = {
  log: { level: 'info' | 'warn' | 'error'; message: string };
};

/** Requests the extension host sends to the player webview. */
export type HostToPlayerRequests = Record<string, never>;

/** Events the extension host sends to the player webview. */
export type HostToPlayerEvents = {
  load: { title: string; url: string };
};

export interface PlayerInit {
  extensionVersion: string;
  title: string;
}
