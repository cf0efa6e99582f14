import jwt from 'jsonwebtoken';
import { Role } from '../../src/accounts/auth/principal';

export type AccountRole = Exclude<Role, 'operator'>;

export interface Tokens {
  operator(): string;
  forAccount(accountId: string, role: AccountRole): string;
}

// Tokens outlive the whole run (bounded well under this).
const TOKEN_LIFETIME_SECONDS = 3600;

/** Platform-style HS256 tokens `{sub, role, accountId}`, as test/support/test-app.ts `tokenFor` signs them. */
export function tokensSignedWith(secret: string): Tokens {
  const sign = (role: Role, accountId?: string) =>
    jwt.sign({ sub: `bench-${role}`, role, ...(accountId ? { accountId } : {}) }, secret, { algorithm: 'HS256', expiresIn: TOKEN_LIFETIME_SECONDS });
  return {
    operator: () => sign('operator'),
    forAccount: (accountId, role) => sign(role, accountId),
  };
}
