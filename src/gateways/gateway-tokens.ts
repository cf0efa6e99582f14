/** SecretBox sealing gateway credentials at rest (built from CREDENTIALS_ENCRYPTION_KEY). */
export const GATEWAY_SECRET_BOX = Symbol('GATEWAY_SECRET_BOX');
