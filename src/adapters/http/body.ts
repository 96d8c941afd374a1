import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { GatewayError } from '../../core/errors/index.js';

/** Reads the whole body, refusing more than `limit` bytes (413) without buffering the excess. */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new GatewayError('PAYLOAD_TOO_LARGE', `The body is ${declared} bytes; the limit is ${limit}.`);
  }
  try {
    return await getRawBody(ctx.req, { limit, length: Number.isFinite(declared) ? declared : undefined });
  } catch (e) {
    const type = (e as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new GatewayError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${limit} bytes.`);
    }
    throw new GatewayError('BODY_MALFORMED', 'The body could not be read completely.');
  }
}

/** Reads a JSON body; malformed JSON is a 400 naming the position. */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  const raw = await readBody(ctx, limit);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new GatewayError('BODY_MALFORMED', `The body is not valid JSON: ${(e as Error).message}`, {
      issues: [{ severity: 'error', code: 'BODY_MALFORMED', path: '$', message: `not valid JSON: ${(e as Error).message}` }],
    });
  }
}

/** The media type without parameters, lower case. */
export const mediaType = (ctx: Context): string => (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
