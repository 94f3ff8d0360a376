const SECRET_BYTES = 32

/** 256 random bits as base64url: long enough for HMAC-SHA256 and safe in shells and .env files. */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES))
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}
