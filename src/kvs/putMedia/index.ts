/** PutMedia (the producer upload no AWS SDK for JavaScript offers): client, acknowledgement parser, upload bodies. */
export * from './acks';
export * from './putMedia';
export * from './bodies';
export { NodeSha256 } from './sha256';
