import { InjectQueue } from '@nestjs/bull';
import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { Public } from '../accounts/auth/decorators';
import { ApiError } from '../common/errors/api-error';
import { QUEUES } from '../common/queue/queues';

type Check = 'up' | 'down';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
  ) {}

  @Get()
  @Public()
  async health(): Promise<{ status: 'ok'; checks: Record<string, Check> }> {
    const [database, redis] = await Promise.all([this.checkDatabase(), this.checkRedis()]);
    const checks = { database, redis };
    if (database === 'down' || redis === 'down') {
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'unhealthy', 'A dependency is down', Object.entries(checks).map(([field, state]) => ({ field, message: state })));
    }
    return { status: 'ok', checks };
  }

  private async checkDatabase(): Promise<Check> {
    return withTimeout(this.dataSource.query('SELECT 1').then(() => 'up' as const));
  }

  private async checkRedis(): Promise<Check> {
    return withTimeout(this.queue.client.ping().then(() => 'up' as const));
  }
}

async function withTimeout(check: Promise<Check>, ms = 2000): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => (timer = setTimeout(() => resolve('down'), ms)));
  try {
    return await Promise.race([check.catch(() => 'down' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
