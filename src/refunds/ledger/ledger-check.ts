export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface LedgerViolation {
  check: string;
  subject: string;
  detail: string;
}

interface LedgerCheck {
  name: string;
  sql: string;
}

/**
 * The money invariants, each a query returning the rows that break it (subject, detail). Run by
 * `npm run check:ledger` and by the tests after every money scenario.
 */
const CHECKS: LedgerCheck[] = [
  {
    name: 'money received on a charge = amount paid + what was credited from it (overpayment, already paid)',
    sql: `SELECT c.id AS subject, format('received %s, paid %s, credited %s', coalesce(p.received, 0), c.amount_paid, coalesce(k.credited, 0)) AS detail
          FROM charges c
          LEFT JOIN (SELECT charge_id, sum(amount_received) AS received FROM payments GROUP BY charge_id) p ON p.charge_id = c.id
          LEFT JOIN (SELECT charge_id, sum(amount) AS credited FROM customer_credit_entries WHERE kind IN ('overpayment', 'already_paid') GROUP BY charge_id) k ON k.charge_id = c.id
          WHERE coalesce(p.received, 0) <> c.amount_paid + coalesce(k.credited, 0)`,
  },
  {
    name: 'amount refunded on a charge = its succeeded refunds (capped at the amount paid)',
    sql: `SELECT c.id AS subject, format('charge says %s, refunds sum to %s', c.amount_refunded, coalesce(r.total, 0)) AS detail
          FROM charges c LEFT JOIN (SELECT charge_id, sum(amount) AS total FROM refunds WHERE status = 'succeeded' GROUP BY charge_id) r ON r.charge_id = c.id
          WHERE c.amount_refunded <> least(c.amount_paid, coalesce(r.total, 0))`,
  },
  {
    name: 'amount refunded on a payment = its succeeded refunds',
    sql: `SELECT p.id AS subject, format('payment says %s, refunds sum to %s', p.amount_refunded, coalesce(r.total, 0)) AS detail
          FROM payments p LEFT JOIN (SELECT payment_id, sum(amount) AS total FROM refunds WHERE status = 'succeeded' GROUP BY payment_id) r ON r.payment_id = p.id
          WHERE p.amount_refunded <> coalesce(r.total, 0)`,
  },
  {
    name: 'refunds (succeeded and pending) never exceed the amount paid',
    sql: `SELECT c.id AS subject, format('paid %s, refunded or pending %s', c.amount_paid, r.total) AS detail
          FROM charges c JOIN (SELECT charge_id, sum(amount) AS total FROM refunds WHERE status IN ('succeeded', 'pending') AND kind = 'refund' GROUP BY charge_id) r ON r.charge_id = c.id
          WHERE r.total > c.amount_paid`,
  },
  {
    name: 'credit applied to a charge = its applied_to_charge entries',
    sql: `SELECT c.id AS subject, format('charge says %s, entries say %s', c.credit_applied, coalesce(-k.total, 0)) AS detail
          FROM charges c LEFT JOIN (SELECT charge_id, sum(amount) AS total FROM customer_credit_entries WHERE kind = 'applied_to_charge' GROUP BY charge_id) k ON k.charge_id = c.id
          WHERE c.credit_applied <> coalesce(-k.total, 0)`,
  },
  {
    name: 'a paid charge owes nothing, and an open one never owes less than zero',
    sql: `SELECT id AS subject, format('status %s, total %s, paid %s, credit %s', status, total, amount_paid, credit_applied) AS detail
          FROM charges WHERE (status = 'paid' AND amount_paid + credit_applied <> total) OR amount_paid + credit_applied > total`,
  },
  {
    name: "a customer's credit balance never goes negative",
    sql: `SELECT customer_id::text AS subject, format('balance %s after entry %s', running, id) AS detail
          FROM (SELECT id, customer_id, sum(amount) OVER (PARTITION BY customer_id ORDER BY seq) AS running FROM customer_credit_entries) t
          WHERE running < 0`,
  },
];

export async function checkLedger(db: Queryable): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  for (const check of CHECKS) {
    const rows = normalize(await db.query(check.sql)) as Array<{ subject: string; detail: string }>;
    violations.push(...rows.map((row) => ({ check: check.name, subject: row.subject, detail: row.detail })));
  }
  return violations;
}

export function ledgerCheckNames(): string[] {
  return CHECKS.map((check) => check.name);
}

/** pg's Client answers { rows }; TypeORM's DataSource answers the rows. */
function normalize(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  return (result as { rows: unknown[] }).rows;
}
