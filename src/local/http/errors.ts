// The error model of KVS Local: errors are thrown as KvsError (a service error name plus a message)
// and serialised the way the AWS restJson1 services answer, which is what the AWS SDKs parse:
//   HTTP 4xx/5xx, content-type application/json, x-amzn-ErrorType: <Name>, x-amzn-RequestId: <id>,
//   body {"Message": "..."} (and "message", which some clients read instead).
import type { ServerResponse } from 'node:http';

/** HTTP status of every error name KVS Local answers with. Modelled errors use the status of the
 *  service models (botocore `error.httpStatusCode`); the others are what AWS front ends send. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  // Modelled (kinesisvideo, kinesis-video-archived-media, kinesis-video-media).
  ResourceNotFoundException: 404,
  StreamEdgeConfigurationNotFoundException: 404,
  NotAuthorizedException: 401,
  AccessDeniedException: 401,
  ClientLimitExceededException: 400,
  ConnectionLimitExceededException: 400,
  InvalidArgumentException: 400,
  ResourceInUseException: 400,
  VersionMismatchException: 400,
  AccountStreamLimitExceededException: 400,
  DeviceStreamLimitExceededException: 400,
  InvalidDeviceException: 400,
  InvalidResourceFormatException: 400,
  TagsPerResourceExceededLimitException: 400,
  NoDataRetentionException: 400,
  UnsupportedStreamMediaTypeException: 400,
  MissingCodecPrivateDataException: 400,
  InvalidCodecPrivateDataException: 400,
  InvalidMediaFrameException: 400,
  InvalidEndpointException: 400,
  // Not modelled: authentication and protocol errors of the AWS front end.
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  IncompleteSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  SerializationException: 400,
  RequestEntityTooLargeException: 413,
  UnknownOperationException: 404,
  InternalFailure: 500,
  ServiceUnavailableException: 503,
};

/** An error the service answers with. `name` is the error type ('ResourceNotFoundException'). */
export class KvsError extends Error {
  readonly status: number;

  constructor(name: string, message: string, status?: number) {
    super(message);
    this.name = name;
    this.status = status ?? ERROR_STATUS[name] ?? 400;
  }
}

export function isKvsError(error: unknown): error is KvsError {
  return error instanceof KvsError;
}

/** Writes `error` as a service error response. Anything that is not a KvsError becomes a 500
 *  InternalFailure without details (the caller logs it). Does nothing if the response has begun. */
export function sendError(res: ServerResponse, error: unknown, requestId: string, options: { close?: boolean } = {}): void {
  if (res.headersSent) {
    // Mid-stream: the only honest signal left is to cut the connection.
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const kvsError = isKvsError(error) ? error : new KvsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
  const body: Record<string, unknown> =
    kvsError.name === 'UnknownOperationException'
      ? // Coral's own answer for an operation it does not know, plus a readable message.
        { Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0', Message: kvsError.message, message: kvsError.message }
      : { Message: kvsError.message, message: kvsError.message };
  const text = JSON.stringify(body);
  res.statusCode = kvsError.status;
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('x-amzn-ErrorType', kvsError.name);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (options.close) res.setHeader('connection', 'close');
  res.end(text);
}

/** Writes a 200 JSON response. */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
