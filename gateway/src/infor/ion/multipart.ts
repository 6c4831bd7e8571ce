import busboy from 'busboy';
import type { Request } from 'express';
import { AppError } from '../../errors';

export interface ImsParts {
  /** ParameterRequest text (JSON), when present */
  parameterRequest?: string;
  /** MessagePayload bytes (up to the cap) */
  payload?: Buffer;
  /** the payload was cut at the cap */
  payloadTruncated: boolean;
  /** bytes of the payload seen, counting past the cap */
  payloadBytes: number;
}

const PARAMETER_CAP = 64 * 1024;

/**
 * Read an IMS multipart/form-data body (parts `ParameterRequest` and `MessagePayload`, as
 * file parts or plain fields) with busboy, keeping at most `maxPayloadBytes` of the payload.
 * A larger payload is drained, not buffered, and reported as truncated.
 */
export function readImsMultipart(req: Request, maxPayloadBytes: number): Promise<ImsParts> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(new AppError('IMS messages must be multipart/form-data', { code: 'IMS_NOT_MULTIPART', errorClass: 'business', httpStatus: 415 }));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 4, fields: 8, parts: 8, fileSize: maxPayloadBytes, fieldSize: maxPayloadBytes } });
    } catch (err) {
      reject(new AppError(`malformed multipart request: ${(err as Error).message}`, { code: 'IMS_MALFORMED_MULTIPART', errorClass: 'business', httpStatus: 400 }));
      return;
    }
    const parts: ImsParts = { payloadTruncated: false, payloadBytes: 0 };
    const take = (name: string, data: Buffer, truncated: boolean, bytes: number) => {
      if (name === 'MessagePayload') {
        parts.payload = data;
        parts.payloadTruncated = truncated;
        parts.payloadBytes = bytes;
      } else if (name === 'ParameterRequest') {
        parts.parameterRequest = data.subarray(0, PARAMETER_CAP).toString('utf8');
      }
    };
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!truncated) chunks.push(chunk);
      });
      stream.on('limit', () => {
        truncated = true;
        // busboy stops at fileSize; count what the sender claims to still send by draining
      });
      stream.on('close', () => take(name, Buffer.concat(chunks), truncated, truncated ? Math.max(bytes, maxPayloadBytes + 1) : bytes));
    });
    parser.on('field', (name, value, info) => {
      const data = Buffer.from(value, 'utf8');
      take(name, data, info.valueTruncated, info.valueTruncated ? maxPayloadBytes + 1 : data.length);
    });
    parser.on('error', (err) => reject(new AppError(`malformed multipart request: ${(err as Error).message}`, { code: 'IMS_MALFORMED_MULTIPART', errorClass: 'business', httpStatus: 400 })));
    parser.on('close', () => resolve(parts));
    req.pipe(parser);
  });
}
