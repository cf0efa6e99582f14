import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { QUEUES } from '../../common/queue/queues';
import { ChargesRepository } from '../charges.repository';
import { CompletionOutcome, GatewayChargeCompleter } from './gateway-charge-completer';

const BATCH_SIZE = 50;

/** Completes charges left `pending` (process killed, gateway timeout) without ever creating a second gateway charge. */
@Processor(QUEUES.charges)
export class ChargeRecoveryProcessor {
  private readonly logger = new Logger('ChargeRecovery');

  constructor(
    private readonly charges: ChargesRepository,
    private readonly completer: GatewayChargeCompleter,
  ) {}

  @Process('recover-pending-charges')
  async recoverPendingCharges(): Promise<Record<CompletionOutcome, number>> {
    const counts: Record<CompletionOutcome, number> = { completed: 0, already_done: 0, busy: 0, failed: 0, retry_later: 0 };
    for (const chargeId of await this.charges.findRecoverable(BATCH_SIZE)) {
      const { outcome } = await this.completer.complete(chargeId);
      counts[outcome] += 1;
    }
    if (counts.completed + counts.failed + counts.retry_later > 0) this.logger.log({ msg: 'pending charges recovered', ...counts });
    return counts;
  }
}
