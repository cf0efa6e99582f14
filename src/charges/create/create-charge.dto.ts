import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsMoneyInput } from '../../common/money/money.dto';

// At least one visible character (JavaScript's \s also covers the BOM and other invisible spaces).
const NOT_BLANK = /\S/;

export class AddressDto {
  @ApiProperty({ example: '01310100' })
  @Matches(/^\d{5}-?\d{3}$/, { message: 'postalCode must be a CEP (8 digits)' })
  postalCode: string;

  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) street: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(20) number: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) neighborhood: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) city: string;

  @ApiProperty({ example: 'SP' })
  @Matches(/^[A-Z]{2}$/, { message: 'state must be a two-letter UF such as SP' })
  state: string;
}

export class InlineCustomerDto {
  @ApiProperty({ example: 'Maria Souza' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: '24971563792', description: 'CPF or CNPJ; punctuation allowed; check digits verified' })
  @IsString()
  @MaxLength(20)
  cpfCnpj: string;

  @ApiPropertyOptional({ example: 'maria@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '47998781877' })
  @IsOptional()
  @Matches(/^\+?[\d\s()-]{8,20}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @ApiPropertyOptional({ type: AddressDto, description: 'Required by Mercado Pago for boleto' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
}

export class ChargeItemDto {
  @ApiPropertyOptional({ description: 'Catalog product: its name and price are copied onto the item' })
  @IsOptional()
  @IsUUID()
  productId?: string;

  @ApiPropertyOptional({ example: 'Consulta', description: 'Required without productId' })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'description must not be blank' })
  @MaxLength(200)
  description?: string;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(10000)
  quantity: number;

  @ApiPropertyOptional({ example: 150.0, description: 'Required without productId; major units' })
  @IsOptional()
  @IsMoneyInput()
  unitPrice?: number | string;
}

export class DiscountDto {
  @ApiProperty({ enum: ['percentage', 'fixed'] })
  @IsIn(['percentage', 'fixed'])
  type: 'percentage' | 'fixed';

  @ApiProperty({ example: 10, description: 'Percent (0-100) or major units' })
  @IsMoneyInput()
  value: number | string;
}

export class AdjustmentDto {
  @ApiProperty({ example: -5.0, description: 'Positive or negative, major units' })
  @IsMoneyInput()
  amount: number | string;

  @ApiProperty({ example: 'frete' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  @MaxLength(200)
  reason: string;
}

export class CreateChargeDto {
  @ApiPropertyOptional({ type: InlineCustomerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => InlineCustomerDto)
  customer?: InlineCustomerDto;

  @ApiPropertyOptional({ description: 'An existing customer instead of `customer`' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiProperty({ type: [ChargeItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ChargeItemDto)
  items: ChargeItemDto[];

  @ApiPropertyOptional({ type: DiscountDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DiscountDto)
  discount?: DiscountDto;

  @ApiPropertyOptional({ type: AdjustmentDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AdjustmentDto)
  adjustment?: AdjustmentDto;

  @ApiProperty({ example: '2026-12-01', description: 'Calendar date in America/Sao_Paulo, not in the past' })
  @IsString()
  dueDate: string;

  @ApiProperty({ example: ['pix', 'boleto', 'card'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(['pix', 'boleto', 'card'], { each: true })
  paymentMethods: Array<'pix' | 'boleto' | 'card'>;

  @ApiPropertyOptional({ description: "Defaults to the account's only active connection" })
  @IsOptional()
  @IsUUID()
  gatewayConnectionId?: string;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 24 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24)
  installments?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  conversationId?: string;

  @ApiPropertyOptional({ example: 'Pedido 123' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
