import type { HostToPlayerEvents, HostToPlayerRequests, PlayerToHostEvents, PlayerToHostRequests } from '../../src/protocol/playerProtocol';
import { connectHost } from '../shared/hostChannel';

const status = document.getElementById('status');

const host = connectHost<PlayerToHostRequests, PlayerToHostEvents, HostToPlayerRequests, HostToPlayerEvents>({
  events: {
    load: ({ title }) => {
      if (status) status.textContent = `Loading ${title}…`;
    },
  },
});

host
  .request('ready', {})
  .then((init) => {
    if (status) status.textContent = `Connected to Kinesis Video Inspector ${init.extensionVersion}. Choose a stream in the Kinesis Video view to play it.`;
  })
  .catch((error: unknown) => {
    if (status) status.textContent = `Could not reach the extension: ${String(error)}`;
  });
