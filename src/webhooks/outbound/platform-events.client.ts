import { Inject, Injectable } from '@nestjs/common';
import axios from 'axios';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { SIGNATURE_HEADER, signOutboundPayload } from './outbound-signature';

export interface PlatformEventPayload {
  id: string;
  type: string;
  accountId: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY_CHARS = 300;

/** POSTs one signed event to PLATFORM_EVENTS_URL. Any 2xx is delivered; anything else is a failed attempt, never an exception. */
@Injectable()
export class PlatformEventsClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get isConfigured(): boolean {
    return Boolean(this.config.platformEventsUrl && this.config.platformEventsSecret);
  }

  async send(payload: PlatformEventPayload): Promise<AttemptResult> {
    const rawBody = JSON.stringify(payload);
    const signature = signOutboundPayload(this.config.platformEventsSecret!, rawBody, Math.floor(Date.now() / 1000));
    const started = Date.now();
    try {
      const response = await axios.post<string>(this.config.platformEventsUrl!, rawBody, {
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature },
        timeout: TIMEOUT_MS,
        // A redirect is not a delivery: the platform must answer 2xx at the configured URL.
        maxRedirects: 0,
        validateStatus: () => true,
        transformRequest: [(body: string) => body],
        responseType: 'text',
        transformResponse: [(body: string) => body],
      });
      return this.result(response.status, response.data, Date.now() - started);
    } catch (error) {
      return { delivered: false, statusCode: null, error: networkError(error), durationMs: Date.now() - started };
    }
  }

  private result(status: number, body: unknown, durationMs: number): AttemptResult {
    if (status >= 200 && status < 300) return { delivered: true, statusCode: status, error: null, durationMs };
    const excerpt = typeof body === 'string' && body ? `: ${body.slice(0, MAX_ERROR_BODY_CHARS)}` : '';
    return { delivered: false, statusCode: status, error: `HTTP ${status}${excerpt}`, durationMs };
  }
}

function networkError(error: unknown): string {
  if (axios.isAxiosError(error)) return [error.code, error.message].filter(Boolean).join(': ');
  return error instanceof Error ? error.message : String(error);
}
