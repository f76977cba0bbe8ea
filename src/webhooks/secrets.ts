import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Encrypts signing secrets at rest (AES-256-GCM) with a key that never enters the database, so a
 * dump alone does not let anyone sign events as us. Each ciphertext is bound to its endpoint's ID
 * (GCM associated data), so one copied onto another endpoint row does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the webhook secret key must be 32 bytes');
    this.#key = key;
  }

  /** `v2.` + base64(iv ‖ tag ‖ ciphertext), authenticated together with `boundTo`. */
  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v2.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Throws when the key is wrong, the text was altered, or it was sealed for another `boundTo`. */
  open(sealed: string, boundTo: string): string {
    const match = /^(v[12])\.(.+)$/s.exec(sealed);
    if (!match) throw new Error('not a sealed webhook secret');
    const raw = Buffer.from(match[2]!, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    // v1 (before the binding) carried no associated data.
    if (match[1] === 'v2') decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/**
 * The key from WEBHOOK_SECRET_KEY, or one generated on first start and kept (0600) under DATA_DIR.
 * Several instances on one PostgreSQL must share WEBHOOK_SECRET_KEY.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string): { key: Buffer; generated: boolean } {
  if (configured) return { key: Buffer.from(configured, 'base64'), generated: false };
  const path = join(dataDir, 'webhook-secret-key');
  if (existsSync(path)) return { key: Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600 });
  return { key, generated: true };
}
