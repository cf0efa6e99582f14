export const ROLES = ['operator', 'admin', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from the platform-signed JWT. Operators have no account. */
export interface Principal {
  userId: string;
  accountId: string | null;
  role: Role;
}

/** Principal of an account-scoped route: the guard guarantees the account. */
export interface AccountPrincipal extends Principal {
  accountId: string;
}

export const READ_ROLES: Role[] = ['viewer', 'agent', 'admin'];
export const WRITE_ROLES: Role[] = ['agent', 'admin'];
export const ADMIN_ROLES: Role[] = ['admin'];
