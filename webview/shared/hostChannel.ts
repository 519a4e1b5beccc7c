import type { EventMap, RequestMap, ChannelOptions, Envelope } from '../../src/protocol/channel';
import { MessageChannel } from '../../src/protocol/channel';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** VS Code allows one acquireVsCodeApi() per page; every module shares this one. */
let api: VsCodeApi | undefined;
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** The webview's end of its message channel with the extension host. */
export function connectHost<
  OutRequests extends RequestMap,
  OutEvents extends EventMap,
  InRequests extends RequestMap,
  InEvents extends EventMap,
>(options: ChannelOptions<InRequests, InEvents> = {}): MessageChannel<OutRequests, OutEvents, InRequests, InEvents> {
  return new MessageChannel(
    {
      post: (message: Envelope) => vscodeApi().postMessage(message),
      listen: (receive) => {
        const listener = (event: MessageEvent) => receive(event.data);
        window.addEventListener('message', listener);
        return { dispose: () => window.removeEventListener('message', listener) };
      },
    },
    options,
  );
}
