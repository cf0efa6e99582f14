import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

export class SetPaymentsModuleDto {
  @ApiProperty({ description: 'Whether the Payments module is on for the account' })
  @IsBoolean()
  enabled: boolean;
}

export class UpdateAccountSettingsDto {
  @ApiPropertyOptional({ description: 'Let agents refund (admins always can)' })
  @IsOptional()
  @IsBoolean()
  agentsMayRefund?: boolean;

  @ApiPropertyOptional({ description: 'Reminder days relative to the due date, e.g. [-1, 0, 3]', type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(-30, { each: true })
  @Max(60, { each: true })
  reminderOffsetsDays?: number[];
}
