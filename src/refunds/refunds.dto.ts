import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsMoneyInput } from '../common/money/money.dto';

export class CreateRefundDto {
  @ApiPropertyOptional({ example: 30.0, description: 'Partial amount; leave out for everything still refundable' })
  @IsOptional()
  @IsMoneyInput()
  amount?: number | string;

  @ApiPropertyOptional({ example: 'produto devolvido' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ enum: ['gateway', 'credit'], default: 'gateway', description: 'credit: the money becomes customer credit; no gateway call' })
  @IsOptional()
  @IsIn(['gateway', 'credit'])
  destination?: 'gateway' | 'credit';
}
