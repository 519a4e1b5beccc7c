// GetDataEndpoint answers per stream and API; the service asks clients to cache them (5 TPS per
// stream, refresh about every 45 minutes). One cache per connection.
import { GetDataEndpointCommand, type APIName, type KinesisVideoClient } from '@aws-sdk/client-kinesis-video';

const REFRESH_MS = 45 * 60 * 1000;

interface Entry {
  endpoint: Promise<string>;
  fetchedAt: number;
}

export class DataEndpointCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly control: KinesisVideoClient,
    private readonly now: () => number = Date.now,
  ) {}

  get(streamName: string, api: APIName): Promise<string> {
    const key = `${api} ${streamName}`;
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.fetchedAt < REFRESH_MS) return cached.endpoint;
    const endpoint = this.control.send(new GetDataEndpointCommand({ StreamName: streamName, APIName: api })).then((answer) => {
      if (!answer.DataEndpoint) throw new Error(`GetDataEndpoint returned no endpoint for ${api} on ${streamName}`);
      return answer.DataEndpoint;
    });
    // A failed lookup is not cached, so the next call asks again.
    endpoint.catch(() => this.entries.delete(key));
    this.entries.set(key, { endpoint, fetchedAt: this.now() });
    return endpoint;
  }
}
