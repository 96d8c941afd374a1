/**
 * MLLP listener: one TCP connection carries any number of framed HL7 v2 messages; each is handed to `accept`
 * (which validates and stores it durably) and answered with an ACK in the order received.
 *
 * The ACK is written only after `accept` resolves, i.e. after the durable commit. When `accept` rejects (the store
 * failed, a bug), the answer is "not stored, resend later": AR in original mode, CE in enhanced mode, never AA/CA;
 * the connection stays open. In enhanced mode (MSH-15/16 valued, ack-mode.ts) MSH-15 decides whether an ACK is
 * sent at all (AL / NE / ER / SU); a message left unanswered is still processed and the connection goes on. A frame
 * larger than maxMessageBytes is answered AR and the connection is closed (the stream cannot be trusted after it,
 * and its header, hence its mode, is not read).
 */
import net from 'node:net';
import { buildAck, readInboundHeader, type AckResult } from '../hl7v2/ack.js';
import { ackModeOf, acknowledgementFor } from '../hl7v2/ack-mode.js';
import { issue } from '../../core/validation/issue.js';
import { frame, MllpDecoder } from './framing.js';

export type { AckResult } from '../hl7v2/ack.js';

export interface MllpLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MllpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  /** Validates and durably stores one message; resolves with the ACK to send. Rejecting means "not stored". */
  readonly accept: (raw: Buffer) => Promise<AckResult>;
  readonly now: () => Date;
  /** ACK MSH-10 (≤ 20 characters). */
  readonly nextAckId: () => string;
  readonly logger?: MllpLogger;
  /** Close connections idle for this long (default 10 minutes). */
  readonly idleTimeoutMs?: number;
  /** `original`: always AA/AE/AR, whatever MSH-15/16 say (setting mllp.acknowledgement); default `auto`. */
  readonly acknowledgement?: 'auto' | 'original';
}

export interface MllpServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

const noLog: MllpLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const handleConnection = (socket: net.Socket, opts: MllpServerOptions, sockets: Set<net.Socket>): void => {
  const log = opts.logger ?? noLog;
  const decoder = new MllpDecoder(opts.maxMessageBytes);
  let chain: Promise<void> = Promise.resolve();
  let closing = false;
  sockets.add(socket);
  socket.setTimeout(opts.idleTimeoutMs ?? 600_000, () => socket.end());
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', (err) => log.warn({ err: err.message }, 'mllp connection error'));

  const send = (ack: string): void => {
    if (!socket.destroyed && socket.writable) {
      socket.write(frame(Buffer.from(ack, 'utf8')));
    }
  };

  const handleMessage = async (payload: Buffer): Promise<void> => {
    const header = readInboundHeader(payload);
    const mode = opts.acknowledgement === 'original' ? ({ kind: 'original' } as const) : ackModeOf(header);
    const accept = mode.kind === 'enhanced' ? mode.accept : undefined;
    let result: AckResult;
    try {
      result = await opts.accept(payload);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err), controlId: header?.controlId, accept }, 'mllp message not stored; answering "resend later" unless MSH-15 says not to');
      result = {
        code: 'AR',
        errorCode: 'STORAGE_UNAVAILABLE',
        text: 'Not stored; resend later',
        issues: [issue('error', 'STORAGE_UNAVAILABLE', 'message', 'The gateway could not store the message; it was not accepted. Resend it later.')],
      };
    }
    const ack = acknowledgementFor(mode, result);
    if (ack === undefined) {
      // MSH-15 NE, ER on a success or SU on a failure: the SIL asked for no accept acknowledgement here.
      const fields = { controlId: header?.controlId, accept, outcome: result.code, errorCode: result.errorCode };
      if (result.code === 'AA') {
        log.info(fields, 'mllp accept acknowledgement not sent (MSH-15)');
      } else {
        log.warn(fields, 'mllp message not accepted and no acknowledgement sent (MSH-15): the SIL is not told');
      }
      return;
    }
    send(buildAck(header, ack, opts.now(), opts.nextAckId()));
  };

  socket.on('data', (chunk: Buffer) => {
    if (closing) {
      return;
    }
    for (const ev of decoder.push(chunk)) {
      if (ev.kind === 'too-large') {
        closing = true;
        log.warn({ size: ev.size, limit: opts.maxMessageBytes }, 'mllp frame too large; answering AR and closing');
        chain = chain.then(() => {
          const result: AckResult = {
            code: 'AR',
            errorCode: 'PAYLOAD_TOO_LARGE',
            text: 'Message too large',
            issues: [issue('error', 'PAYLOAD_TOO_LARGE', 'message', `The message is larger than the ${opts.maxMessageBytes}-byte limit.`)],
          };
          send(buildAck(undefined, result, opts.now(), opts.nextAckId()));
          socket.end();
        });
        return;
      }
      const payload = ev.payload;
      chain = chain
        .then(() => handleMessage(payload))
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'mllp answer failed'));
    }
  });
};

export const startMllpServer = async (opts: MllpServerOptions): Promise<MllpServer> => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => handleConnection(socket, opts, sockets));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  return {
    port,
    address: opts.host,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
};
