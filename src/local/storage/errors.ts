// The one error type of the fragment store: a code the server maps to a KVS error, and a message.

export type StoreErrorCode = 'NOT_FOUND' | 'CORRUPT' | 'CLOSED' | 'IN_USE' | 'FAILED' | 'INVALID_ARGUMENT';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
