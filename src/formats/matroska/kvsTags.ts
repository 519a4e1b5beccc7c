// Fragment metadata that Kinesis Video Streams writes as Matroska SimpleTags. GetMedia uses the first
// set of names; the GetMediaForFragmentList API reference lists the *_SIDE_* / EXCEPTION_* names, while
// real responses use the GetMedia names, so both are read.
import type { MatroskaSimpleTag } from './model';

export const KvsTag = {
  FragmentNumber: 'AWS_KINESISVIDEO_FRAGMENT_NUMBER',
  ServerTimestamp: 'AWS_KINESISVIDEO_SERVER_TIMESTAMP',
  ProducerTimestamp: 'AWS_KINESISVIDEO_PRODUCER_TIMESTAMP',
  MillisBehindNow: 'AWS_KINESISVIDEO_MILLIS_BEHIND_NOW',
  ContinuationToken: 'AWS_KINESISVIDEO_CONTINUATION_TOKEN',
  ErrorCode: 'AWS_KINESISVIDEO_ERROR_CODE',
  ErrorId: 'AWS_KINESISVIDEO_ERROR_ID',
  ServerSideTimestamp: 'AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP',
  ProducerSideTimestamp: 'AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP',
  ExceptionErrorCode: 'AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE',
  ExceptionMessage: 'AWS_KINESISVIDEO_EXCEPTION_MESSAGE',
  /** Written by the producer SDK (PIC) when a frame flagged end-of-fragment closes a fragment. */
  EndOfFragment: 'AWS_KINESISVIDEO_END_OF_FRAGMENT',
} as const;

export const KVS_TAG_PREFIX = 'AWS_KINESISVIDEO_';

/**
 * Tags written after the cluster they belong to (the others come before it): GetMedia's, and the
 * producer SDK's end-of-fragment mark, which it writes after the last frame of the fragment it closes.
 */
export const KVS_TRAILING_TAGS: ReadonlySet<string> = new Set([KvsTag.MillisBehindNow, KvsTag.ContinuationToken, KvsTag.EndOfFragment]);

export interface KvsFragmentMetadata {
  fragmentNumber?: string;
  /** Unix milliseconds (the tag holds seconds with 3 decimals). */
  serverTimestampMs?: number;
  producerTimestampMs?: number;
  millisBehindNow?: number;
  continuationToken?: string;
  errorCode?: string;
  /** e.g. 3000 fragment not found, 3002 write error, 4500–4506 KMS, 5000 internal. */
  errorId?: string;
  errorMessage?: string;
  /** The producer closed the fragment with an end-of-fragment frame (AWS_KINESISVIDEO_END_OF_FRAGMENT). */
  endOfFragment?: true;
}

/** KVS metadata from a fragment's tags, or undefined when none of them is an AWS_KINESISVIDEO_ tag. */
export function kvsMetadata(tags: readonly MatroskaSimpleTag[]): KvsFragmentMetadata | undefined {
  let metadata: KvsFragmentMetadata | undefined;
  for (const tag of tags) {
    if (!tag.name.startsWith(KVS_TAG_PREFIX)) continue;
    metadata ??= {};
    const value = (tag.value ?? '').trim();
    switch (tag.name) {
      case KvsTag.FragmentNumber:
        metadata.fragmentNumber = value;
        break;
      case KvsTag.ServerTimestamp:
      case KvsTag.ServerSideTimestamp:
        setIfDefined(metadata, 'serverTimestampMs', secondsToMs(value));
        break;
      case KvsTag.ProducerTimestamp:
      case KvsTag.ProducerSideTimestamp:
        setIfDefined(metadata, 'producerTimestampMs', secondsToMs(value));
        break;
      case KvsTag.MillisBehindNow: {
        const millis = Number(value);
        if (value !== '' && Number.isFinite(millis)) metadata.millisBehindNow = millis;
        break;
      }
      case KvsTag.ContinuationToken:
        metadata.continuationToken = value;
        break;
      case KvsTag.ErrorCode:
      case KvsTag.ExceptionErrorCode:
        metadata.errorCode = value;
        break;
      case KvsTag.ErrorId:
        metadata.errorId = value;
        break;
      case KvsTag.ExceptionMessage:
        metadata.errorMessage = value;
        break;
      case KvsTag.EndOfFragment:
        metadata.endOfFragment = true;
        break;
    }
  }
  return metadata;
}

function setIfDefined<K extends 'serverTimestampMs' | 'producerTimestampMs'>(target: KvsFragmentMetadata, key: K, value: number | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * "1511852109.126" → 1511852109126, exactly (no float rounding). Digits past milliseconds round up, as
 * the KVS parser library does. Undefined when the text is not a decimal number of seconds.
 */
export function secondsToMs(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = match[2] ?? '';
  let ms = whole * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (/[1-9]/.test(fraction.slice(3))) ms += 1;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
