import Big from 'big.js';
import { Charge } from '../../../src/charges/charge.entity';
import { buildReminderMessage, dueWording } from '../../../src/charges/reminders/reminder-message';
import { plannedReminders, reminderKey, reminderTime } from '../../../src/charges/reminders/reminder-schedule';

function charge(overrides: Partial<Charge> = {}): Charge {
  return Object.assign(new Charge(), {
    id: 'c1',
    number: 12,
    status: 'awaiting_payment',
    dueDate: '2026-11-30',
    total: new Big('175.90'),
    creditApplied: new Big(0),
    amountPaid: new Big(0),
    description: null,
    installments: 1,
    installmentPlan: [],
    paymentMethods: ['pix', 'boleto', 'card'],
    pixCopyPaste: '00020126PIXCODE',
    pixQrCodePng: 'iVBORw0KGgo=',
    pixExpiresAt: null,
    boletoDigitableLine: '34191.79001 01043.510047 91020.150008 1 12340000017590',
    checkoutUrl: 'https://pay.example/i/1',
    ...overrides,
  });
}

describe('payment reminders', () => {
  it('fires at 09:00 in São Paulo on due date + offset, across month ends', () => {
    expect(reminderTime('2026-11-30', -1).toISOString()).toBe('2026-11-29T12:00:00.000Z');
    expect(reminderTime('2026-11-30', 0).toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(reminderTime('2026-12-30', 3).toISOString()).toBe('2027-01-02T12:00:00.000Z');
  });

  it('plans only future reminders, one per distinct offset', () => {
    const atTheFirstReminder = new Date('2026-11-29T12:00:00Z');
    expect(plannedReminders('2026-11-30', [3, -1, 0, 0], atTheFirstReminder).map((reminder) => reminder.offsetDays)).toEqual([0, 3]);
    expect(plannedReminders('2026-11-30', [-1, 0, 3], new Date('2026-12-10T00:00:00Z'))).toEqual([]);
  });

  it('keys reminders by charge, due date and offset', () => {
    expect(reminderKey('c1', '2026-11-30', -1)).toBe('reminder:c1:2026-11-30:-1');
  });

  it('words the due date relative to today', () => {
    expect(dueWording('2026-11-30', '2026-11-29')).toBe('vence amanhã (30/11/2026)');
    expect(dueWording('2026-11-30', '2026-11-30')).toBe('vence hoje (30/11/2026)');
    expect(dueWording('2026-11-30', '2026-12-03')).toBe('venceu em 30/11/2026');
    expect(dueWording('2026-11-30', '2026-11-20')).toBe('vence em 30/11/2026');
  });

  it('builds the pt-BR reminder with the balance and every way to pay', () => {
    const message = buildReminderMessage(charge(), 'Maria Souza', '2026-11-29', new Date('2026-11-29T12:00:00Z'));
    expect(message.text.split('\n\n')[0]).toBe('Olá, Maria! Lembrete: a cobrança nº 12 de R$ 175,90 vence amanhã (30/11/2026).');
    expect(message.text).toContain('00020126PIXCODE');
    expect(message.text).toContain('34191.79001 01043.510047 91020.150008 1 12340000017590');
    expect(message.text.endsWith('Se você já pagou, desconsidere esta mensagem.')).toBe(true);
    expect(message.attachments).toEqual([{ type: 'image', mimeType: 'image/png', base64: 'iVBORw0KGgo=' }]);
    expect(message.buttons).toEqual([{ label: 'Pagar agora', url: 'https://pay.example/i/1' }]);
    expect(message.metadata).toEqual({ chargeId: 'c1' });
  });

  it('names the open balance of a partially paid charge and leaves out an expired PIX code', () => {
    const partial = charge({ status: 'partially_paid', amountPaid: new Big('75.90'), pixExpiresAt: new Date('2026-12-01T00:00:00Z') });
    const message = buildReminderMessage(partial, 'Maria', '2026-12-03', new Date('2026-12-03T12:00:00Z'));
    expect(message.text.split('\n\n')[0]).toBe('Olá, Maria! Lembrete: a cobrança nº 12 com saldo em aberto de R$ 100,00 venceu em 30/11/2026.');
    expect(message.text).not.toContain('PIX');
    expect(message.attachments).toEqual([]);
    expect(message.text).toContain('linha digitável');
  });
});
