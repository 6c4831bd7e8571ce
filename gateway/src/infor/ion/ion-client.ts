import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors';
import type { ConnectorStatus } from '../../observability/connector-status';
import type { Logger } from '../../observability/logger';
import type { AccessTokenProvider } from '../m3/m3-client';

export interface IonClientOptions {
  /** `{iu}/{ti}/IONSERVICES/api/ion/messaging/service` (or a configured override) */
  messagingUrl: string;
  tokens: AccessTokenProvider;
  /** our connection point's logical id: must match the one registered for our client id */
  fromLogicalId: string;
  toLogicalId?: string;
  timeoutMs?: number;
  status?: ConnectorStatus;
  logger?: Logger;
}

export interface SendBodInput {
  /** `Verb.Noun`, e.g. `Sync.MyPTPayment` */
  documentName: string;
  xml: string;
  /** the BODID: doubles as IMS messageId so a resend is recognisable */
  messageId?: string;
  accountingEntity?: string;
  location?: string;
  documentId?: string;
  variationId?: number;
  toLogicalId?: string;
}

/**
 * Sends BODs to ION over the ION Messaging Service REST API (v2 multipartMessage):
 * multipart/form-data with a `ParameterRequest` JSON part and a `MessagePayload` part.
 * Any 2xx is success (v2 answers 201, v3 202); 401 → new token, one retry.
 */
export class IonClient {
  readonly #o: IonClientOptions;

  constructor(options: IonClientOptions) {
    this.#o = { ...options, messagingUrl: options.messagingUrl.replace(/\/+$/, '') };
  }

  get fromLogicalId(): string {
    return this.#o.fromLogicalId;
  }

  async sendBod(input: SendBodInput): Promise<{ messageId: string; status: number }> {
    const messageId = input.messageId ?? randomUUID();
    const parameters: Record<string, string | number> = {
      documentName: input.documentName,
      messageId,
      fromLogicalId: this.#o.fromLogicalId,
      toLogicalId: input.toLogicalId ?? this.#o.toLogicalId ?? 'lid://default',
      encoding: 'NONE',
      characterSet: 'UTF-8',
    };
    if (input.accountingEntity) parameters.accountingEntity = input.accountingEntity;
    if (input.location) parameters.location = input.location;
    if (input.documentId) parameters.documentId = input.documentId;
    if (input.variationId !== undefined) parameters.variationId = input.variationId;

    for (let authAttempt = 1; ; authAttempt++) {
      const token = await this.#o.tokens.getAccessToken();
      // a fresh FormData each attempt: a body can be sent only once
      const form = new FormData();
      form.append('ParameterRequest', new Blob([JSON.stringify(parameters)], { type: 'application/json' }), 'ParameterRequest.json');
      form.append('MessagePayload', new Blob([input.xml], { type: 'application/octet-stream' }), 'MessagePayload.xml');
      let response: Response;
      try {
        response = await fetch(`${this.#o.messagingUrl}/v2/multipartMessage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          body: form,
          signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000),
        });
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError';
        this.#o.status?.record('ion', false, (err as Error).message);
        // IMS dedupes nothing for us: the BODID (messageId) lets ION's side recognise a resend
        throw new AppError(`ION did not take ${input.documentName}: ${timedOut ? 'timeout' : (err as Error).message}`, {
          code: timedOut ? 'ION_TIMEOUT' : 'ION_UNAVAILABLE',
          errorClass: 'transient',
          details: { documentName: input.documentName, messageId },
          cause: err,
        });
      }
      const text = await response.text();
      if (response.status === 401 && authAttempt === 1) {
        this.#o.tokens.invalidate(token);
        continue;
      }
      if (response.ok) {
        this.#o.status?.record('ion', true);
        this.#o.logger?.info('BOD sent to ION', { documentName: input.documentName, messageId, status: response.status });
        return { messageId, status: response.status };
      }
      const transient = response.status >= 500 || response.status === 429;
      this.#o.status?.record('ion', false, `HTTP ${response.status}`);
      throw new AppError(`ION refused ${input.documentName}: HTTP ${response.status} ${text.slice(0, 300)}`, {
        code: transient ? 'ION_UNAVAILABLE' : response.status === 401 || response.status === 403 ? 'ION_AUTH_FAILED' : 'ION_REJECTED',
        // 403 = our client id/fromLogicalId is not the connection point's: fix the configuration
        errorClass: transient ? 'transient' : response.status === 401 || response.status === 403 ? 'configuration' : 'business',
        details: { documentName: input.documentName, messageId, status: response.status },
      });
    }
  }

  /** `GET …/ping`: is IMS reachable with our token? */
  async ping(): Promise<boolean> {
    const token = await this.#o.tokens.getAccessToken();
    try {
      const response = await fetch(`${this.#o.messagingUrl}/ping`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000) });
      await response.body?.cancel();
      this.#o.status?.record('ion', response.ok, response.ok ? undefined : `ping HTTP ${response.status}`);
      return response.ok;
    } catch (err) {
      this.#o.status?.record('ion', false, (err as Error).message);
      return false;
    }
  }
}
