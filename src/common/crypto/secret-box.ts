import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EncryptionKey } from '../config/app-config';

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest: a fresh 12-byte IV per value and the key id in the envelope
 * ("v1:<keyId>:<iv>:<tag>:<ciphertext>", base64 parts), so keys can be rotated: the first key encrypts,
 * every configured key decrypts.
 */
export class SecretBox {
  private readonly keysById: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.keysById = new Map(keys.map((entry) => [entry.id, entry.key]));
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(envelope: string): string {
    const [version, keyId, iv, tag, ciphertext] = envelope.split(':');
    if (version !== FORMAT_VERSION || !ciphertext) throw new Error('Unrecognized secret envelope');
    const key = this.keysById.get(keyId);
    if (!key) throw new Error(`No configured key can decrypt secrets sealed with key id "${keyId}"`);
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(envelope: string): T {
    return JSON.parse(this.decrypt(envelope)) as T;
  }

  /** Whether an envelope was sealed with an older key and should be re-encrypted. */
  needsRotation(envelope: string): boolean {
    return envelope.split(':')[1] !== this.keys[0].id;
  }
}
