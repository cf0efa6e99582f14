import { SecretBox } from '../../../src/common/crypto/secret-box';

const key = (fill: number) => Buffer.alloc(32, fill);

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox([{ id: 'k1', key: key(1) }]);

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.encrypt('$aact_hmlg_secret');
    expect(sealed).not.toContain('aact');
    expect(box.decrypt(sealed)).toBe('$aact_hmlg_secret');
  });

  it('uses a fresh IV per value', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('detects tampering', () => {
    const parts = box.encrypt('value').split(':');
    parts[4] = Buffer.from('other').toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
  });

  it('rotates: the new key encrypts, the old one still decrypts', () => {
    const sealedWithOld = box.encrypt('rotate me');
    const rotated = new SecretBox([{ id: 'k2', key: key(2) }, { id: 'k1', key: key(1) }]);
    expect(rotated.decrypt(sealedWithOld)).toBe('rotate me');
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.encrypt('x').split(':')[1]).toBe('k2');
    expect(() => box.decrypt(rotated.encrypt('x'))).toThrow(/key id "k2"/);
  });
});
