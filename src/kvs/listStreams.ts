import { paginateListStreams, type StreamInfo } from '@aws-sdk/client-kinesis-video';
import type { ConnectionClients } from './clients';

/** Every stream of the connection, in name order (ListStreams pages through them). */
export async function listAllStreams(clients: ConnectionClients): Promise<StreamInfo[]> {
  const streams: StreamInfo[] = [];
  for await (const page of paginateListStreams({ client: clients.control, pageSize: 1000 }, {})) {
    streams.push(...(page.StreamInfoList ?? []));
  }
  return streams.sort((a, b) => (a.StreamName ?? '').localeCompare(b.StreamName ?? ''));
}
