import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bull';
import { QUEUES } from '../../common/queue/queues';
import { scheduleRepeatable } from '../../common/queue/repeatable-jobs';
import { PAYMENT_GATEWAY, ProviderId } from '../../gateways/contract/payment-gateway';
import { PaymentGatewayRegistry } from '../../gateways/gateway-registry';
import { todayInSaoPaulo } from '../domain/due-date';
import { OverdueRepository } from './overdue.repository';

/**
 * For gateways that never say a charge is overdue (Mercado Pago), a charge still unpaid after the end of its
 * due date in America/Sao_Paulo becomes overdue. Gateways that do say so (Asaas) are left to their webhooks.
 */
@Processor(QUEUES.charges)
export class OverdueProcessor {
  private readonly logger = new Logger('Overdue');

  constructor(
    private readonly overdue: OverdueRepository,
    @Inject(PAYMENT_GATEWAY) private readonly registry: PaymentGatewayRegistry,
  ) {}

  @Process('mark-overdue-charges')
  async markOverdueCharges(): Promise<{ marked: number }> {
    const providers = this.registry.providers().filter((provider: ProviderId) => !this.registry.get(provider).capabilities.sendsOverdueEvents);
    const marked = await this.overdue.markOverdue(providers, todayInSaoPaulo());
    if (marked > 0) this.logger.log({ msg: 'charges marked overdue', marked });
    return { marked };
  }
}

@Injectable()
export class OverdueScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.charges) private readonly queue: Queue) {}

  onApplicationBootstrap(): Promise<void> {
    // Shortly after midnight in Sao Paulo, and hourly as a safety net.
    return scheduleRepeatable(this.queue, [{ name: 'mark-overdue-charges', cron: '5 * * * *' }]);
  }
}
