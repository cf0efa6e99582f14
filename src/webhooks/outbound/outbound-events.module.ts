import { Global, Module } from '@nestjs/common';
import { OutboundEventsService } from './outbound-events.service';

@Global()
@Module({ providers: [OutboundEventsService], exports: [OutboundEventsService] })
export class OutboundEventsModule {}
