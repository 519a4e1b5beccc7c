// AWS Signature Version 4 verification (header form and presigned query form) for KVS Local.
//
// The canonical request follows the AWS specification as the AWS SDKs build it:
//   METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n \n SIGNED_HEADERS \n PAYLOAD_HASH
// - CANONICAL_URI: the path as sent on the wire, normalised ('.', '..', empty segments) and URI-encoded
//   once more (so '%' becomes '%25'), with '/' kept;
// - CANONICAL_QUERY: every parameter (except X-Amz-Signature) decoded, re-encoded per RFC 3986 and sorted;
// - CANONICAL_HEADERS: the signed headers, lower-case, values trimmed with inner whitespace collapsed,
//   repeated headers joined with ',';
// - PAYLOAD_HASH: x-amz-content-sha256 when sent (then it must match the body), else SHA-256 of the
//   body. Streaming uploads (PutMedia) are signed over the empty payload by the producer libraries,
//   or as UNSIGNED-PAYLOAD: the caller says so with `payload: { kind: 'streaming' }`.
//
// Failures are KvsErrors with the names and messages AWS front ends use (all HTTP 403):
// UnrecognizedClientException (unknown access key or session token), InvalidSignatureException
// (wrong signature, expired/future date, wrong scope), IncompleteSignatureException (malformed
// Authorization), MissingAuthenticationTokenException (nothing signed). Nothing here logs anything.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KvsError } from './errors';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
/** Largest clock difference accepted between the signer and this server. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600;

export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests must carry this session token (x-amz-security-token / X-Amz-Security-Token). */
  readonly sessionToken?: string;
}

/** The parts of an HTTP request that are signed. `rawHeaders` is Node's flat [name, value, ...] list
 *  (IncomingMessage.rawHeaders), which keeps repeated headers apart. */
export interface SignedRequest {
  readonly method: string;
  /** Request target as received: path plus optional '?query' (IncomingMessage.url). */
  readonly url: string;
  readonly rawHeaders: readonly string[];
}

export type PayloadSpec =
  /** The whole body was read: its SHA-256 is the payload hash. */
  | { readonly kind: 'buffered'; readonly body: Uint8Array }
  /** The body is streamed and not read before verification (PutMedia): the request must have been
   *  signed over the empty payload or as UNSIGNED-PAYLOAD (or name its hash in x-amz-content-sha256). */
  | { readonly kind: 'streaming' }
  /** The payload hashes the caller accepts. */
  | { readonly kind: 'hashes'; readonly hashes: readonly string[] };

export interface VerifyOptions {
  readonly credentials: SigV4Credentials;
  readonly payload: PayloadSpec;
  /** Signing name in the credential scope; 'kinesisvideo' for all three KVS clients. */
  readonly service?: string;
  /** Current time (ms since the epoch); defaults to Date.now(). */
  readonly now?: number;
}

export interface VerifiedSignature {
  readonly accessKeyId: string;
  /** Region of the credential scope (not checked against the server's region). */
  readonly region: string;
  readonly signedHeaders: readonly string[];
  readonly presigned: boolean;
  /** The payload hash the signature covers. */
  readonly payloadHash: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

/** Verifies the SigV4 signature of `request`. Returns who signed it, or throws a KvsError. */
export function verifySigV4(request: SignedRequest, options: VerifyOptions): VerifiedSignature {
  const service = options.service ?? 'kinesisvideo';
  const now = options.now ?? Date.now();
  const headers = collectHeaders(request.rawHeaders);
  const queryIndex = request.url.indexOf('?');
  const rawPath = queryIndex < 0 ? request.url : request.url.slice(0, queryIndex);
  const query = parseQuery(queryIndex < 0 ? '' : request.url.slice(queryIndex + 1));

  const authorization = headers.get('authorization');
  const presigned = authorization === undefined && query.some(([key]) => key === 'X-Amz-Algorithm' || key === 'X-Amz-Credential' || key === 'X-Amz-Signature');
  if (authorization === undefined && !presigned) {
    throw new KvsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const auth = presigned ? readPresignedAuth(query, now) : readHeaderAuth(authorization ?? '', headers);

  // Credential scope: AKID/yyyymmdd/region/service/aws4_request.
  const scopeParts = auth.credential.split('/');
  if (scopeParts.length !== 5) {
    throw new KvsError(
      'IncompleteSignatureException',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${auth.credential}'`,
    );
  }
  const [accessKeyId = '', scopeDate = '', region = '', scopeService = '', terminator = ''] = scopeParts;
  if (!safeEqual(accessKeyId, options.credentials.accessKeyId)) {
    throw new KvsError('UnrecognizedClientException', INVALID_TOKEN);
  }
  const expectedToken = options.credentials.sessionToken;
  if (expectedToken !== undefined) {
    const token = presigned ? queryValue(query, 'X-Amz-Security-Token') : headers.get('x-amz-security-token');
    if (token === undefined || !safeEqual(token, expectedToken)) throw new KvsError('UnrecognizedClientException', INVALID_TOKEN);
  }
  if (terminator !== 'aws4_request') {
    throw new KvsError('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  }
  if (scopeService !== service) {
    throw new KvsError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'. `);
  }
  if (region.length === 0) {
    throw new KvsError('InvalidSignatureException', 'Credential should be scoped to a valid region. ');
  }
  if (scopeDate !== auth.amzDate.slice(0, 8)) {
    throw new KvsError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
    );
  }
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined) {
    throw new KvsError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  if (!presigned) checkSkew(signedAt, now);

  const signedHeaders = auth.signedHeaders.split(';');
  if (!signedHeaders.includes('host')) {
    throw new KvsError('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const contentSha256 = presigned ? undefined : headers.get('x-amz-content-sha256');
  const candidates = payloadHashes(options.payload, contentSha256, presigned);

  const canonicalPath = canonicalUri(rawPath);
  const canonicalQuery = canonicalQueryString(query);
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join('');
  const scope = `${scopeDate}/${region}/${scopeService}/aws4_request`;
  const signingKey = deriveSigningKey(options.credentials.secretAccessKey, scopeDate, region, scopeService);

  let firstCanonical = '';
  let firstStringToSign = '';
  for (const payloadHash of candidates) {
    const canonicalRequest = [request.method.toUpperCase(), canonicalPath, canonicalQuery, canonicalHeaders, auth.signedHeaders, payloadHash].join('\n');
    const stringToSign = [SIGV4_ALGORITHM, auth.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
    if (safeEqual(expected, auth.signature.toLowerCase())) {
      return { accessKeyId, region, signedHeaders, presigned, payloadHash };
    }
    if (firstCanonical === '') {
      firstCanonical = canonicalRequest;
      firstStringToSign = stringToSign;
    }
  }
  // Like AWS, show what was expected so that hand-written signers can be debugged. Neither string
  // contains the secret key.
  throw new KvsError(
    'InvalidSignatureException',
    `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${firstCanonical}'\n\nThe String-to-Sign should have been\n'${firstStringToSign}'\n`,
  );
}

interface AuthParts {
  credential: string;
  signedHeaders: string;
  signature: string;
  amzDate: string;
}

function readHeaderAuth(authorization: string, headers: ReadonlyMap<string, string>): AuthParts {
  const trimmed = authorization.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new KvsError('IncompleteSignatureException', `Unsupported AWS 'algorithm': '${algorithm}'. KVS Local accepts ${SIGV4_ALGORITHM}.`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.has(required)) {
      throw new KvsError('IncompleteSignatureException', `Authorization header requires '${required}' parameter. Authorization=${algorithm} ...`);
    }
  }
  let amzDate = headers.get('x-amz-date');
  if (amzDate === undefined) {
    const date = headers.get('date');
    const parsed = date === undefined ? Number.NaN : Date.parse(date);
    if (Number.isNaN(parsed)) {
      throw new KvsError('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    amzDate = formatAmzDate(parsed);
  }
  return { credential: fields.get('Credential') ?? '', signedHeaders: fields.get('SignedHeaders') ?? '', signature: fields.get('Signature') ?? '', amzDate };
}

function readPresignedAuth(query: readonly (readonly [string, string])[], now: number): AuthParts {
  const get = (key: string): string => {
    const value = queryValue(query, key);
    if (value === undefined) throw new KvsError('IncompleteSignatureException', `AWS query-string parameters must include '${key}'. Re-examine the query-string parameters.`);
    return value;
  };
  const algorithm = get('X-Amz-Algorithm');
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new KvsError('IncompleteSignatureException', `Unsupported AWS 'algorithm': '${algorithm}'. KVS Local accepts ${SIGV4_ALGORITHM}.`);
  }
  const amzDate = get('X-Amz-Date');
  const expiresText = get('X-Amz-Expires');
  const auth = { credential: get('X-Amz-Credential'), signedHeaders: get('X-Amz-SignedHeaders'), signature: get('X-Amz-Signature'), amzDate };
  const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : Number.NaN;
  if (!(expires >= 0 && expires <= MAX_PRESIGN_EXPIRES_S)) {
    throw new KvsError('InvalidSignatureException', `X-Amz-Expires must be a number of seconds from 0 to ${MAX_PRESIGN_EXPIRES_S}, got '${expiresText}'.`);
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt !== undefined) {
    if (signedAt - now > MAX_CLOCK_SKEW_MS) {
      throw new KvsError('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`);
    }
    if (now > signedAt + expires * 1000) {
      throw new KvsError('InvalidSignatureException', `Signature expired: the presigned request was signed at ${amzDate} and expired ${expires} s later; it is now ${formatAmzDate(now)}.`);
    }
  }
  return auth;
}

function checkSkew(signedAt: number, now: number): void {
  const signed = formatAmzDate(signedAt);
  if (now - signedAt > MAX_CLOCK_SKEW_MS) {
    throw new KvsError('InvalidSignatureException', `Signature expired: ${signed} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`);
  }
  if (signedAt - now > MAX_CLOCK_SKEW_MS) {
    throw new KvsError('InvalidSignatureException', `Signature not yet current: ${signed} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`);
  }
}

function payloadHashes(payload: PayloadSpec, contentSha256: string | undefined, presigned: boolean): readonly string[] {
  if (contentSha256 !== undefined && contentSha256.startsWith('STREAMING-')) {
    throw new KvsError(
      'IncompleteSignatureException',
      `KVS Local does not accept aws-chunked payload signing ('${STREAMING_SIGNED_PAYLOAD}'); sign the empty payload or UNSIGNED-PAYLOAD, as the KVS producer libraries do.`,
    );
  }
  switch (payload.kind) {
    case 'buffered': {
      const actual = sha256Hex(payload.body);
      if (contentSha256 !== undefined && contentSha256 !== actual) {
        throw new KvsError('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      // A presigned request (a GET from a player, usually) may be signed as UNSIGNED-PAYLOAD.
      return presigned && payload.body.length === 0 ? [actual, UNSIGNED_PAYLOAD] : [actual];
    }
    case 'streaming':
      // The header is covered by the signature; the streamed body itself cannot be checked here.
      return contentSha256 !== undefined ? [contentSha256] : [EMPTY_PAYLOAD_SHA256, UNSIGNED_PAYLOAD];
    case 'hashes':
      if (contentSha256 !== undefined && !payload.hashes.includes(contentSha256)) {
        throw new KvsError('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      return contentSha256 !== undefined ? [contentSha256] : payload.hashes;
  }
}

/** Lower-case header name → canonical value (trimmed, inner whitespace collapsed, repeats joined by ','). */
function collectHeaders(rawHeaders: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = (rawHeaders[i + 1] ?? '').replace(/\s+/g, ' ').trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return headers;
}

/** Splits a raw query string into decoded [key, value] pairs, in order. */
export function parseQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (rawQuery.length === 0) return pairs;
  for (const part of rawQuery.split('&')) {
    if (part.length === 0) continue;
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    pairs.push([decodeComponent(key), decodeComponent(value)]);
  }
  return pairs;
}

function queryValue(query: readonly (readonly [string, string])[], key: string): string | undefined {
  for (const [k, v] of query) if (k === key) return v;
  return undefined;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new KvsError('InvalidSignatureException', `The query string contains a malformed percent-encoding: '${text}'.`);
  }
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

function canonicalQueryString(query: readonly (readonly [string, string])[]): string {
  return query
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

const signingKeys = new Map<string, Buffer>();

function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${sha256Hex(secret)}/${date}/${region}/${service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  let key = createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
  if (signingKeys.size >= 64) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Constant-time string comparison (different lengths compare unequal). */
function safeEqual(a: string, b: string): boolean {
  const bufferA = Buffer.from(a, 'utf8');
  const bufferB = Buffer.from(b, 'utf8');
  return bufferA.length === bufferB.length && timingSafeEqual(bufferA, bufferB);
}

/** 20150830T123600Z → ms since the epoch. */
export function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
  return Number.isNaN(ms) ? undefined : ms;
}

/** ms since the epoch → 20150830T123600Z. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
