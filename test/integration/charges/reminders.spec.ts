import { getQueueToken } from '@nestjs/bull';
import { Job, Queue } from 'bull';
import { formatDatePtBr } from '../../../src/charges/domain/due-date';
import { ReminderInProgressError } from '../../../src/charges/reminders/reminder-sender.service';
import { PaymentReminderJob, ReminderScheduler } from '../../../src/charges/reminders/reminder-scheduler';
import { reminderKey, reminderTime } from '../../../src/charges/reminders/reminder-schedule';
import { RemindersProcessor } from '../../../src/charges/reminders/reminders.processor';
import { chargeBody, connectGateway, daysFromToday } from '../../support/charges';
import { PlatformReceiver } from '../../support/platform-receiver';
import { startSimulators, Simulators } from '../../support/simulators';
import { bearer, enabledAccount, startReachableApp, startTestApp, TestApp, waitFor } from '../../support/test-app';

interface CreatedCharge {
  id: string;
  number: number;
  dueDate: string;
  checkoutUrl: string;
  pix: { copyPaste: string; qrCodePng: string };
  boleto: { digitableLine: string };
}

interface ReminderRow {
  id: string;
  status: string;
  dedupe_key: string;
  skip_reason: string | null;
  attempts: number;
  platform_message_id: string | null;
}

describe('payment reminders in the conversation', () => {
  let sims: Simulators;
  let platform: PlatformReceiver;
  let t: TestApp;
  let accountId: string;
  let queue: Queue<PaymentReminderJob>;
  let processor: RemindersProcessor;
  // Its own Bull namespace (under the run's prefix, so teardown still clears it): a promoted reminder must be run
  // by this file's app, whose messaging API is this file's receiver, not by another test file's app.
  const appEnv = () => ({ ...sims.env, CONVERSATION_API_URL: platform.url, CONVERSATION_API_TOKEN: 'platform-token-123', QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}:reminders-spec` });

  beforeAll(async () => {
    sims = await startSimulators();
    platform = new PlatformReceiver();
    await platform.start();
    t = await startReachableApp(appEnv());
    accountId = await accountWithGateway();
    queue = t.app.get<Queue<PaymentReminderJob>>(getQueueToken('reminders'));
    processor = t.app.get(RemindersProcessor);
  });

  beforeEach(() => platform.reset());

  afterAll(async () => {
    await t.close();
    await platform.stop();
    await sims.stop();
  });

  async function accountWithGateway(): Promise<string> {
    const account = await enabledAccount(t);
    await connectGateway(t, sims, account);
    return account;
  }

  const createCharge = async (overrides: Record<string, unknown> = {}, account = accountId): Promise<CreatedCharge> =>
    (
      await t.http
        .post('/v1/charges')
        .set(bearer('agent', account))
        .send(chargeBody({ items: [{ description: 'Pedido', quantity: 1, unitPrice: 175.9 }], dueDate: daysFromToday(10), paymentMethods: ['pix', 'boleto', 'card'], conversationId: 'conv-rem', ...overrides }))
        .expect(201)
    ).body;
  const setOffsets = (account: string, reminderOffsetsDays: number[]) => t.http.patch('/v1/account/settings').set(bearer('admin', account)).send({ reminderOffsetsDays }).expect(200);
  const jobsFor = async (chargeId: string): Promise<Array<Job<PaymentReminderJob>>> =>
    (await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])).filter((job) => job?.data.chargeId === chargeId);
  const scheduledOffsets = async (chargeId: string): Promise<number[]> => (await jobsFor(chargeId)).map((job) => job.data.offsetDays).sort((a, b) => a - b);
  const reminderJob = async (charge: CreatedCharge, offsetDays: number): Promise<Job<PaymentReminderJob>> => (await queue.getJob(reminderKey(charge.id, charge.dueDate, offsetDays)))!;
  /** What happens at the reminder's time, now: the delayed job is promoted and the app's worker runs it. */
  const fireNow = async (job: Job<PaymentReminderJob>) => {
    await job.promote();
    return job.finished();
  };
  /** A job run by hand, as a second worker or a Bull retry would run it. */
  const runAgain = (charge: CreatedCharge, offsetDays: number) =>
    processor.sendPaymentReminder({ data: { chargeId: charge.id, dueDate: charge.dueDate, offsetDays, remindAt: '' } } as Job<PaymentReminderJob>);
  const reminderRows = (chargeId: string): Promise<ReminderRow[]> =>
    t.dataSource.query(`SELECT id, status, dedupe_key, skip_reason, attempts, platform_message_id FROM charge_messages WHERE charge_id = $1 AND kind = 'reminder' ORDER BY created_at`, [chargeId]);
  const gatewayPaymentId = (charge: CreatedCharge) => sims.asaas.payments().find((payment) => payment.externalReference === charge.id)!.id;

  describe('scheduling', () => {
    it('puts one delayed job per offset at 09:00 in São Paulo, keyed by charge, due date and offset', async () => {
      const charge = await createCharge();
      const jobs = await jobsFor(charge.id);
      expect(jobs.map((job) => job.id).sort()).toEqual([-1, 0, 3].map((offset) => reminderKey(charge.id, charge.dueDate, offset)).sort());
      for (const job of jobs) {
        expect(await job.getState()).toBe('delayed');
        const remindAt = reminderTime(charge.dueDate, job.data.offsetDays);
        expect(job.data).toEqual({ chargeId: charge.id, dueDate: charge.dueDate, offsetDays: job.data.offsetDays, remindAt: remindAt.toISOString() });
        expect(Math.abs(job.timestamp + Number(job.opts.delay) - remindAt.getTime())).toBeLessThan(5000);
      }
    });

    it('adds nothing when scheduled again: a replayed create, a send, concurrent calls, another instance', async () => {
      const body = chargeBody({ dueDate: daysFromToday(10), conversationId: 'conv-rem' });
      const first = await t.http.post('/v1/charges').set(bearer('agent', accountId)).set('Idempotency-Key', `reminders-${Date.now()}`).send(body).expect(201);
      const charge: CreatedCharge = first.body;
      await t.http.post('/v1/charges').set(bearer('agent', accountId)).set('Idempotency-Key', first.request.getHeader('Idempotency-Key') as string).send(body).expect(201);
      await t.http.post(`/v1/charges/${charge.id}/send`).set(bearer('agent', accountId)).send({}).expect(200);
      const scheduler = t.app.get(ReminderScheduler);
      await Promise.all([scheduler.scheduleFor(charge.id), scheduler.scheduleFor(charge.id), scheduler.scheduleFor(charge.id)]);
      const second = await startTestApp(appEnv());
      try {
        await second.app.get(ReminderScheduler).scheduleFor(charge.id);
      } finally {
        await second.close();
      }
      expect(await scheduledOffsets(charge.id)).toEqual([-1, 0, 3]);
      expect(await t.dataSource.query(`SELECT count(*)::int AS count FROM charge_messages WHERE charge_id = $1 AND kind = 'reminder'`, [charge.id])).toEqual([{ count: 0 }]);
    });

    it('honours the account offsets and skips reminder times already past', async () => {
      const account = await accountWithGateway();
      await setOffsets(account, [-2, 1, 5]);
      // Due tomorrow: two days before is yesterday 09:00, already past.
      const charge = await createCharge({ dueDate: daysFromToday(1) }, account);
      expect(await scheduledOffsets(charge.id)).toEqual([1, 5]);
    });

    it('gives a charge without a conversation no reminders until it is sent into one', async () => {
      const charge = await createCharge({ conversationId: undefined });
      expect(await jobsFor(charge.id)).toEqual([]);
      await t.http.post(`/v1/charges/${charge.id}/send`).set(bearer('agent', accountId)).send({ conversationId: 'conv-late' }).expect(200);
      expect(await scheduledOffsets(charge.id)).toEqual([-1, 0, 3]);
    });

    it('never fails the request when Redis is unavailable; the sweep schedules the charge later', async () => {
      const hang = jest.spyOn(queue, 'add').mockImplementation((() => new Promise(() => undefined)) as never);
      let charge: CreatedCharge;
      try {
        charge = await createCharge();
      } finally {
        hang.mockRestore();
      }
      expect(await jobsFor(charge.id)).toEqual([]);
      const swept = await processor.scheduleMissingReminders();
      expect(swept.charges).toBeGreaterThanOrEqual(1);
      expect(await scheduledOffsets(charge.id)).toEqual([-1, 0, 3]);
    });
  });

  describe('sending', () => {
    it('posts one pt-BR reminder with the amount, due date, PIX, boleto, QR image and checkout button', async () => {
      const charge = await createCharge({ dueDate: daysFromToday(1) });
      const outcome = await fireNow(await reminderJob(charge, 0));
      expect(outcome).toMatchObject({ outcome: 'sent', attempt: 1 });

      expect(platform.received).toHaveLength(1);
      const [request] = platform.received;
      expect(request.path).toBe('/conversations/conv-rem/messages');
      expect(request.headers.authorization).toBe('Bearer platform-token-123');
      expect(request.headers['idempotency-key']).toBe(outcome.messageId);
      const { text, attachments, buttons, metadata } = request.body;
      expect(text.split('\n\n')[0]).toBe(`Olá, Maria! Lembrete: a cobrança nº ${charge.number} de R$ 175,90 vence amanhã (${formatDatePtBr(charge.dueDate)}).`);
      expect(text).toContain(charge.pix.copyPaste);
      expect(text).toContain(charge.boleto.digitableLine);
      expect(attachments).toEqual([{ type: 'image', mimeType: 'image/png', base64: charge.pix.qrCodePng }]);
      expect(buttons).toEqual([{ label: 'Pagar agora', url: charge.checkoutUrl }]);
      expect(metadata).toEqual({ chargeId: charge.id });
      expect(await reminderRows(charge.id)).toEqual([
        { id: outcome.messageId, status: 'sent', dedupe_key: reminderKey(charge.id, charge.dueDate, 0), skip_reason: null, attempts: 1, platform_message_id: 'msg_1' },
      ]);
    });

    it('posts once when the same reminder runs again, or five times at once', async () => {
      const charge = await createCharge();
      const first = await fireNow(await reminderJob(charge, -1));
      expect(await runAgain(charge, -1)).toEqual({ outcome: 'already_sent', messageId: first.messageId });

      const concurrent = await Promise.allSettled(Array.from({ length: 5 }, () => runAgain(charge, 3)));
      const outcomes = concurrent.map((result) => (result.status === 'fulfilled' ? result.value.outcome : result.reason.constructor.name));
      expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(1);
      expect(outcomes.every((outcome) => ['sent', 'already_sent', ReminderInProgressError.name].includes(outcome))).toBe(true);

      expect(platform.received).toHaveLength(2);
      expect((await reminderRows(charge.id)).map((row) => row.status)).toEqual(['sent', 'sent']);
    });

    it('skips the reminder of a charge paid through the gateway, and records why', async () => {
      const charge = await createCharge();
      await sims.asaas.pay(gatewayPaymentId(charge), { method: 'pix' });
      await waitFor(async () => (await t.http.get(`/v1/charges/${charge.id}`).set(bearer('viewer', accountId))).body.status, (status) => status === 'paid');

      expect(await fireNow(await reminderJob(charge, -1))).toEqual({ outcome: 'skipped', reason: 'charge_paid' });
      expect(platform.received).toHaveLength(0);
      expect(await reminderRows(charge.id)).toEqual([expect.objectContaining({ status: 'skipped', skip_reason: 'charge_paid', dedupe_key: reminderKey(charge.id, charge.dueDate, -1) })]);
    });

    it('skips the reminder of a canceled charge', async () => {
      const charge = await createCharge();
      await t.dataSource.query(`UPDATE charges SET status = 'canceled', canceled_at = now() WHERE id = $1`, [charge.id]);
      expect(await fireNow(await reminderJob(charge, 0))).toEqual({ outcome: 'skipped', reason: 'charge_canceled' });
      expect(platform.received).toHaveLength(0);
    });

    it('skips an offset the account removed since scheduling; the sweep schedules one it added', async () => {
      const account = await accountWithGateway();
      const charge = await createCharge({}, account);
      await setOffsets(account, [0, 7]);
      expect(await fireNow(await reminderJob(charge, -1))).toEqual({ outcome: 'skipped', reason: 'offset_not_configured' });
      await processor.scheduleMissingReminders();
      expect(await scheduledOffsets(charge.id)).toEqual([-1, 0, 3, 7]);
      expect(platform.received).toHaveLength(0);
    });

    it('skips reminders planned for a due date the charge no longer has, and schedules the new ones', async () => {
      const charge = await createCharge();
      const newDueDate = daysFromToday(20);
      await t.dataSource.query(`UPDATE charges SET due_date = $2 WHERE id = $1`, [charge.id, newDueDate]);
      expect(await fireNow(await reminderJob(charge, 0))).toEqual({ outcome: 'skipped', reason: 'due_date_changed' });
      await t.app.get(ReminderScheduler).scheduleFor(charge.id);
      expect((await jobsFor(charge.id)).filter((job) => job.data.dueDate === newDueDate).map((job) => job.data.offsetDays).sort()).toEqual([-1, 0, 3]);
    });
  });

  describe('delivery failures: at least once, always under the same Idempotency-Key', () => {
    it('retries after a platform error with the same key', async () => {
      const charge = await createCharge();
      platform.respondWith(500);
      await expect(runAgain(charge, 0)).rejects.toMatchObject({ code: 'conversation_delivery_failed' });
      expect(await reminderRows(charge.id)).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);

      expect(await runAgain(charge, 0)).toMatchObject({ outcome: 'sent', attempt: 2 });
      const [row] = await reminderRows(charge.id);
      expect(platform.received.map((request) => request.headers['idempotency-key'])).toEqual([row.id, row.id]);
    });

    it('leaves a row a worker may still be sending alone, and re-posts it with the same key once its lease expires', async () => {
      const charge = await createCharge();
      await runAgain(charge, 0);
      // A worker that posted and then died before recording it leaves the row in `sending`.
      await t.dataSource.query(`UPDATE charge_messages SET status = 'sending', sent_at = NULL WHERE charge_id = $1`, [charge.id]);
      await expect(runAgain(charge, 0)).rejects.toBeInstanceOf(ReminderInProgressError);
      expect(platform.received).toHaveLength(1);

      await t.dataSource.query(`UPDATE charge_messages SET claimed_at = now() - interval '2 minutes' WHERE charge_id = $1`, [charge.id]);
      expect(await runAgain(charge, 0)).toMatchObject({ outcome: 'sent', attempt: 2 });
      expect(platform.received).toHaveLength(2);
      expect(platform.received[1].headers['idempotency-key']).toBe(platform.received[0].headers['idempotency-key']);
    });
  });
});
