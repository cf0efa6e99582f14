import jwt from 'jsonwebtoken';
import { loadConfig } from '../src/common/config/app-config';
import { ROLES, Role } from '../src/accounts/auth/principal';

/** npm run token -- --account <id> --role <role> [--sub <user>] [--ttl <seconds>]: prints a development JWT. */
function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const role = (args.role ?? 'admin') as Role;
  if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
  if (role !== 'operator' && !args.account) fail('--account <id> is required for every role but operator');
  const claims = { sub: args.sub ?? `dev-${role}`, role, ...(args.account ? { accountId: args.account } : {}) };
  const token = jwt.sign(claims, loadConfig().authJwtSecret, { algorithm: 'HS256', expiresIn: Number(args.ttl ?? 12 * 3600) });
  process.stdout.write(`${token}\n`);
}

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let index = 0; index < argv.length; index += 2) {
    if (!argv[index].startsWith('--') || argv[index + 1] === undefined) fail(`unexpected argument "${argv[index]}"`);
    args[argv[index].slice(2)] = argv[index + 1];
  }
  return args;
}

function fail(message: string): never {
  process.stderr.write(`token: ${message}\nusage: npm run token -- --account <id> --role <operator|admin|agent|viewer>\n`);
  process.exit(2);
}

main();
