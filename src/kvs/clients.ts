// AWS SDK v3 clients for one saved connection: the control plane, and the data-plane clients that
// must be pointed at the endpoint GetDataEndpoint returns for each stream and API.
import { KinesisVideoClient, type APIName } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { KinesisVideoMediaClient } from '@aws-sdk/client-kinesis-video-media';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Connection } from '../config/connections';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_REGION } from '../local/defaults';
import { DataEndpointCache } from './dataEndpoints';

interface ClientConfig {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
}

export class ConnectionClients {
  readonly control: KinesisVideoClient;
  private readonly endpoints: DataEndpointCache;
  private readonly config: ClientConfig;

  constructor(connection: Connection) {
    this.config =
      connection.kind === 'aws'
        ? { region: connection.region, credentials: connection.profile ? fromIni({ profile: connection.profile }) : fromNodeProviderChain() }
        : { region: DEFAULT_LOCAL_REGION, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, endpoint: connection.endpoint };
    this.control = new KinesisVideoClient(this.config);
    this.endpoints = new DataEndpointCache(this.control);
  }

  async archivedMedia(streamName: string, api: APIName): Promise<KinesisVideoArchivedMediaClient> {
    return new KinesisVideoArchivedMediaClient({ ...this.config, endpoint: await this.endpoints.get(streamName, api) });
  }

  async media(streamName: string): Promise<KinesisVideoMediaClient> {
    return new KinesisVideoMediaClient({ ...this.config, endpoint: await this.endpoints.get(streamName, 'GET_MEDIA') });
  }

  dispose(): void {
    this.control.destroy();
  }
}
