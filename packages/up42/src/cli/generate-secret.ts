import { randomBytes } from 'node:crypto'

const SECRET_BYTES = 32

/** 256 random bits as base64url: long enough for HMAC-SHA256 and safe in shells and .env files. */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}
