import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';

export class ConnectionCredentialsDto {
  @ApiPropertyOptional({ description: 'Asaas API key ($aact_...)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  apiKey?: string;

  @ApiPropertyOptional({ description: 'Mercado Pago access token' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  accessToken?: string;

  @ApiPropertyOptional({ description: 'Mercado Pago webhook secret (signs x-signature)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  webhookSecret?: string;
}

export class CreateGatewayConnectionDto {
  @ApiProperty({ enum: ['asaas', 'mercadopago'] })
  @IsIn(['asaas', 'mercadopago'])
  provider: 'asaas' | 'mercadopago';

  @ApiProperty({ enum: ['sandbox', 'production'] })
  @IsIn(['sandbox', 'production'])
  environment: 'sandbox' | 'production';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  @ApiProperty({ type: ConnectionCredentialsDto, description: '{apiKey} for Asaas; {accessToken, webhookSecret} for Mercado Pago' })
  @IsObject()
  @ValidateNested()
  @Type(() => ConnectionCredentialsDto)
  credentials: ConnectionCredentialsDto;
}

export class ListConnectionsQueryDto extends PageQueryDto {}
