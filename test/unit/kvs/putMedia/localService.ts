// KVS Local (the whole service: control plane, PutMedia, ListFragments) on a free port in a fresh data
// directory, for the PutMedia client, kvs-put and demo producer tests. Real HTTP, real SigV4.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient, ListFragmentsCommand, type Fragment } from '@aws-sdk/client-kinesis-video-archived-media';
import { DEFAULT_LOCAL_CREDENTIALS, DEFAULT_LOCAL_REGION } from '../../../../src/local/defaults';
import { startKvsLocalService, type KvsLocalService, type KvsLocalServiceOptions } from '../../../../src/local/service';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REGION = DEFAULT_LOCAL_REGION;
export const credentials = (): { accessKeyId: string; secretAccessKey: string } => ({ ...DEFAULT_LOCAL_CREDENTIALS });

export interface LocalService {
  readonly service: KvsLocalService;
  readonly url: string;
  readonly dataDir: string;
  readonly control: KinesisVideoClient;
  createStream(name: string): Promise<void>;
  dataEndpoint(name: string): Promise<string>;
  /** Every fragment of the stream (ListFragments over all producer timestamps), in timestamp order. */
  listFragments(name: string): Promise<Fragment[]>;
  close(): Promise<void>;
}

export async function startLocalService(options: Partial<KvsLocalServiceOptions> = {}): Promise<LocalService> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kvs-put-test-')));
  const service = await startKvsLocalService({ host: '127.0.0.1', port: 0, credentials: credentials(), streamTransitionDelayMs: 0, ...options, dataDir });
  const config = { region: REGION, credentials: credentials(), maxAttempts: 1 };
  const control = new KinesisVideoClient({ ...config, endpoint: service.url });
  const dataEndpoint = async (name: string): Promise<string> =>
    (await control.send(new GetDataEndpointCommand({ StreamName: name, APIName: 'PUT_MEDIA' }))).DataEndpoint ?? '';
  return {
    service,
    url: service.url,
    dataDir,
    control,
    async createStream(name) {
      await control.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: 24 }));
    },
    dataEndpoint,
    async listFragments(name) {
      const endpoint = (await control.send(new GetDataEndpointCommand({ StreamName: name, APIName: 'LIST_FRAGMENTS' }))).DataEndpoint ?? '';
      const client = new KinesisVideoArchivedMediaClient({ ...config, endpoint });
      try {
        const fragments: Fragment[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListFragmentsCommand({
              StreamName: name,
              ...(nextToken === undefined
                ? { FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date(4_000_000_000_000) } } }
                : { NextToken: nextToken }),
            }),
          );
          fragments.push(...(page.Fragments ?? []));
          nextToken = page.NextToken;
        } while (nextToken !== undefined);
        return fragments.sort((a, b) => (a.ProducerTimestamp?.getTime() ?? 0) - (b.ProducerTimestamp?.getTime() ?? 0));
      } finally {
        client.destroy();
      }
    },
    async close() {
      control.destroy();
      await service.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
