// Streaming sessions of GetHLSStreamingSessionURL / GetDASHStreamingSessionURL (research §1.5, §6).
//
// The session token is the whole session: base64url(JSON of the session) + '.' + base64url(HMAC-SHA256
// over it with a secret made when the service starts) + '~' (real tokens end with '~'). Tokens are
// therefore opaque to clients, URL-safe, and cannot be altered; they stop working when the service
// restarts (a new secret). The server remembers only which sessions are active per stream, so that
// the 11th session of a stream revokes the oldest one, like the service.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { KvsError } from '../http/errors';

export type PlaybackMode = 'LIVE' | 'LIVE_REPLAY' | 'ON_DEMAND';
export type SelectorType = 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';
export type ContainerFormat = 'FRAGMENTED_MP4' | 'MPEG_TS';
export type DiscontinuityMode = 'ALWAYS' | 'NEVER' | 'ON_DISCONTINUITY';

/** Everything a player GET needs, carried inside the token. */
export interface StreamingSession {
  /** Random id (revocation). */
  id: string;
  protocol: 'hls' | 'dash';
  streamARN: string;
  streamName: string;
  mode: PlaybackMode;
  selector: SelectorType;
  startMs?: number;
  endMs?: number;
  container: ContainerFormat;
  discontinuity: DiscontinuityMode;
  displayTimestamp: boolean;
  /** DASH only. */
  displayNumber: boolean;
  maxFragments: number;
  createdMs: number;
  expiresMs: number;
  /** Producer time (ms) that is 0 on the session's media timeline. */
  originMs: number;
  /** Store sequence number of the session's first fragment (LIVE media sequence numbers count from it). */
  originSeq: number;
}

/** At most this many sessions per stream are active; creating one more revokes the oldest. */
export const MAX_ACTIVE_SESSIONS = 10;

export const EXPIRED_MESSAGE = 'Streaming session token is expired';
export const INVALID_MESSAGE = 'Streaming session token is not valid';
export const REVOKED_MESSAGE = 'Streaming session token has been revoked: the stream has more than 10 active streaming sessions';

/** A 403 of the player GETs. */
function forbidden(message: string): KvsError {
  return new KvsError('NotAuthorizedException', message, 403);
}

export class SessionTokens {
  private readonly secret = randomBytes(32);
  /** Active session ids per stream ARN, oldest first, with their expiry. */
  private readonly active = new Map<string, { id: string; expiresMs: number }[]>();
  /** Revoked ids until they would have expired anyway. */
  private readonly revoked = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Registers the session (revoking the oldest of the stream beyond 10) and answers its token. */
  issue(fields: Omit<StreamingSession, 'id'>): string {
    const session: StreamingSession = { id: randomUUID(), ...fields };
    const now = this.now();
    this.prune(now);
    const list = (this.active.get(session.streamARN) ?? []).filter((s) => s.expiresMs > now);
    while (list.length >= MAX_ACTIVE_SESSIONS) {
      const oldest = list.shift();
      if (oldest) this.revoked.set(oldest.id, oldest.expiresMs);
    }
    list.push({ id: session.id, expiresMs: session.expiresMs });
    this.active.set(session.streamARN, list);
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return `${payload}.${this.sign(payload)}~`;
  }

  /** The session of a token; 403 when it is malformed, altered, expired or revoked. */
  verify(token: string | null | undefined): StreamingSession {
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)~$/.exec(token ?? '');
    if (!match) throw forbidden(INVALID_MESSAGE);
    const payload = match[1] ?? '';
    const signature = Buffer.from(match[2] ?? '', 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw forbidden(INVALID_MESSAGE);
    let session: StreamingSession;
    try {
      session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as StreamingSession;
    } catch {
      throw forbidden(INVALID_MESSAGE);
    }
    if (this.now() >= session.expiresMs) throw forbidden(EXPIRED_MESSAGE);
    if (this.revoked.has(session.id)) throw forbidden(REVOKED_MESSAGE);
    return session;
  }

  /** Forgets the sessions of a deleted stream. */
  forgetStream(streamARN: string): void {
    for (const s of this.active.get(streamARN) ?? []) this.revoked.set(s.id, s.expiresMs);
    this.active.delete(streamARN);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  private prune(now: number): void {
    for (const [id, expiresMs] of this.revoked) if (expiresMs <= now) this.revoked.delete(id);
    for (const [arn, list] of this.active) {
      const live = list.filter((s) => s.expiresMs > now);
      if (live.length === 0) this.active.delete(arn);
      else if (live.length !== list.length) this.active.set(arn, live);
    }
  }
}
