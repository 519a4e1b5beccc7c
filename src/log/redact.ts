/**
 * A streaming-session token is a credential: anyone holding the URL can watch the stream until it
 * expires. Every line the extension or a CLI writes goes through here first.
 */
const SECRET_QUERY_PARAMETER = /([?&](?:SessionToken|X-Amz-Security-Token|X-Amz-Signature|X-Amz-Credential)=)[^&\s"'#]*/gi;
const SECRET_JSON_FIELD = /("(?:SessionToken|SecretAccessKey|sessionToken|secretAccessKey)"\s*:\s*")[^"]*"/g;
const REDACTED = '<redacted>';

export function redactSecrets(text: string): string {
  return text
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`)
    .replace(SECRET_JSON_FIELD, `$1${REDACTED}"`);
}
