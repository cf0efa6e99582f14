import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { OUTBOUND_EVENT_STATUSES, OutboundEventStatus } from './outbound-events.repository';

const commaSeparated = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

export class ListOutboundEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'One event type or several separated by commas', example: 'charge.paid,charge.overdue' })
  @IsOptional()
  @Transform(commaSeparated)
  @Matches(/^[a-z_]{1,50}\.[a-z_]{1,49}$/, { each: true, message: 'type must be an event type such as charge.paid' })
  type?: string[];

  @ApiPropertyOptional({ description: 'One status or several separated by commas', example: 'failed,pending' })
  @IsOptional()
  @Transform(commaSeparated)
  @IsIn(OUTBOUND_EVENT_STATUSES, { each: true })
  status?: OutboundEventStatus[];
}
