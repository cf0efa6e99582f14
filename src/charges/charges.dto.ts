import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from '../common/http/pagination';
import { CHARGE_STATUSES, ChargeStatus } from './domain/charge-status';

export class ListChargesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'One status or several separated by commas', example: 'awaiting_payment,overdue' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((status) => status.trim()) : value))
  @IsIn(CHARGE_STATUSES, { each: true })
  status?: ChargeStatus[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ description: 'Created at or after (ISO-8601 date or instant)' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO-8601 date or instant)' })
  @IsOptional()
  @IsDateString()
  to?: string;

  @ApiPropertyOptional({ description: 'Due on or after (YYYY-MM-DD)' })
  @IsOptional()
  @IsDateString()
  dueFrom?: string;

  @ApiPropertyOptional({ description: 'Due on or before (YYYY-MM-DD)' })
  @IsOptional()
  @IsDateString()
  dueTo?: string;
}

export class SendChargeDto {
  @ApiPropertyOptional({ description: 'Defaults to the conversation the charge was created in' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  conversationId?: string;
}
