/** A saved connection, as stored in the `kinesisVideo.connections` setting. */
export type Connection =
  | { kind: 'aws'; label: string; profile?: string; region: string }
  | { kind: 'local'; label: string; endpoint: string };

/**
 * Reads the setting leniently: entries a user typed wrong are skipped and reported, never thrown,
 * so one bad entry does not hide the others.
 */
export function parseConnections(value: unknown): { connections: Connection[]; problems: string[] } {
  const connections: Connection[] = [];
  const problems: string[] = [];
  if (!Array.isArray(value)) return { connections, problems: value === undefined ? [] : ['kinesisVideo.connections must be an array'] };
  value.forEach((entry: unknown, index) => {
    const where = `kinesisVideo.connections[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where} must be an object`);
      return;
    }
    const { kind, label, profile, region, endpoint } = entry as Record<string, unknown>;
    if (typeof label !== 'string' || label === '') {
      problems.push(`${where}.label must be a non-empty string`);
    } else if (kind === 'aws') {
      if (typeof region !== 'string' || region === '') problems.push(`${where}.region is required for an aws connection`);
      else connections.push({ kind, label, region, ...(typeof profile === 'string' && profile !== '' ? { profile } : {}) });
    } else if (kind === 'local') {
      if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) problems.push(`${where}.endpoint must be an http(s) URL`);
      else connections.push({ kind, label, endpoint });
    } else {
      problems.push(`${where}.kind must be "aws" or "local"`);
    }
  });
  return { connections, problems };
}

export function describeConnection(connection: Connection): string {
  return connection.kind === 'aws'
    ? `${connection.profile ?? 'default credentials'} · ${connection.region}`
    : connection.endpoint;
}
