import { Inject, Injectable } from '@nestjs/common';
import axios from 'axios';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { ApiError } from '../../common/errors/api-error';

export interface ConversationMessage {
  text: string;
  attachments: Array<{ type: 'image'; mimeType: 'image/png'; base64: string }>;
  buttons: Array<{ label: string; url: string }>;
  metadata: { chargeId: string };
}

const TIMEOUT_MS = 10_000;

/** The platform's messaging API (CONVERSATION_API_URL). One call posts one message; it is never retried here. */
@Injectable()
export class ConversationClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async post(conversationId: string, message: ConversationMessage, deliveryId: string): Promise<string | null> {
    const { conversationApiUrl, conversationApiToken } = this.config;
    if (!conversationApiUrl || !conversationApiToken) {
      throw new ApiError(503, 'conversation_api_not_configured', 'Sending charges into conversations needs CONVERSATION_API_URL and CONVERSATION_API_TOKEN');
    }
    try {
      const response = await axios.post(`${conversationApiUrl}/conversations/${encodeURIComponent(conversationId)}/messages`, message, {
        headers: { Authorization: `Bearer ${conversationApiToken}`, 'Idempotency-Key': deliveryId },
        timeout: TIMEOUT_MS,
      });
      return platformMessageId(response.data);
    } catch (error) {
      throw deliveryFailed(error);
    }
  }
}

function platformMessageId(body: unknown): string | null {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function deliveryFailed(error: unknown): ApiError {
  const status = axios.isAxiosError(error) ? error.response?.status : undefined;
  const reason = status ? `the platform answered ${status}` : 'the platform could not be reached';
  return new ApiError(502, 'conversation_delivery_failed', `The message was not delivered: ${reason}`);
}
