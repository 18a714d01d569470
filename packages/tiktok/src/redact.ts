// Tokens must never reach an error message, a log line or an enumerable field of a thrown object. Everything this
// package puts into a message from outside (TikTok's own error text, a network error) goes through here first.

const TOKEN_PATTERN = /\b(act|rft|clt)\.[A-Za-z0-9._~!*+/=-]+/g;
const BEARER_PATTERN = /\bBearer\s+[^\s",]+/gi;
const FORM_SECRET_PATTERN = /\b(access_token|refresh_token|client_secret|code_verifier|token|code)=([^&\s"]+)/g;

/** Masks anything that looks like a TikTok token, a bearer credential or a secret form field, plus `secrets`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would mask ordinary words; real tokens and secrets are long.
    if (secret && secret.length >= 8) result = result.split(secret).join('***');
  }
  return result
    .replace(TOKEN_PATTERN, '$1.***')
    .replace(BEARER_PATTERN, 'Bearer ***')
    .replace(FORM_SECRET_PATTERN, '$1=***');
}
