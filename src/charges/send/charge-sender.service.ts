import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiError } from '../../common/errors/api-error';
import { queryRows } from '../../common/database/sql';
import { ChargesService } from '../charges.service';
import { isOpen } from '../domain/charge-status';
import { CustomersService } from '../customers/customers.service';
import { buildChargeMessage } from './charge-message.builder';
import { ConversationClient } from './conversation.client';
import { ReminderScheduler } from '../reminders/reminder-scheduler';

export interface SentMessageView {
  messageId: string;
  chargeId: string;
  conversationId: string;
  status: 'sent';
  platformMessageId: string | null;
  text: string;
  sentAt: string;
}

/** Posts a charge into its conversation once per request, keeping a log of every delivery. */
@Injectable()
export class ChargeSenderService {
  private readonly logger = new Logger('ChargeSender');

  constructor(
    private readonly charges: ChargesService,
    private readonly customers: CustomersService,
    private readonly conversations: ConversationClient,
    private readonly reminders: ReminderScheduler,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async send(accountId: string, chargeId: string, requestedConversationId: string | undefined): Promise<SentMessageView> {
    const charge = await this.charges.require(accountId, chargeId);
    if (!isOpen(charge.status)) throw ApiError.conflict('charge_not_sendable', `A ${charge.status} charge cannot be sent for payment`);
    const conversationId = requestedConversationId ?? charge.conversationId;
    if (!conversationId) throw ApiError.validation([{ field: 'conversationId', message: 'conversationId is required: the charge has no conversation' }]);
    const message = buildChargeMessage(charge, (await this.customers.require(charge.customerId)).name);
    const messageId = await this.recordSending(accountId, chargeId, conversationId);
    try {
      const platformMessageId = await this.conversations.post(conversationId, message, messageId);
      const sentAt = await this.recordSent(messageId, chargeId, conversationId, platformMessageId);
      await this.reminders.scheduleFor(chargeId);
      return { messageId, chargeId, conversationId, status: 'sent', platformMessageId, text: message.text, sentAt };
    } catch (error) {
      await this.recordFailed(messageId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private async recordSending(accountId: string, chargeId: string, conversationId: string): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO charge_messages (charge_id, account_id, conversation_id, status) VALUES ($1, $2, $3, 'sending') RETURNING id`,
      [chargeId, accountId, conversationId],
    );
    return rows[0].id;
  }

  private async recordSent(messageId: string, chargeId: string, conversationId: string, platformMessageId: string | null): Promise<string> {
    const rows = await queryRows<{ sent_at: Date }>(
      this.dataSource,
      `UPDATE charge_messages SET status = 'sent', platform_message_id = $2, sent_at = now() WHERE id = $1 RETURNING sent_at`,
      [messageId, platformMessageId],
    );
    // Reminders go to the conversation the charge was last sent to.
    await this.dataSource.query(`UPDATE charges SET conversation_id = $2 WHERE id = $1 AND conversation_id IS DISTINCT FROM $2`, [chargeId, conversationId]);
    this.logger.log({ msg: 'charge sent into conversation', chargeId, messageId });
    return rows[0].sent_at.toISOString();
  }

  private async recordFailed(messageId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE charge_messages SET status = 'failed', error = $2 WHERE id = $1`, [messageId, error]);
  }
}
