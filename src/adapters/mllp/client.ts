/**
 * MLLP client: sends one framed message and waits for the framed answer (used to send the SIL the volet's business
 * acknowledgements, and by tests). Loopback or LAN only; no TLS (MLLP has none; use a VPN or stunnel when needed).
 */
import net from 'node:net';
import { GatewayError } from '../../core/errors/index.js';
import { frame, MllpDecoder } from './framing.js';

export interface MllpSendOptions {
  readonly host: string;
  readonly port: number;
  readonly payload: Buffer;
  /** Give up after this long without an answer (default 30 s). */
  readonly timeoutMs?: number;
  readonly maxAnswerBytes?: number;
}

/** Resolves with the answer's bytes; rejects with a retryable GatewayError when the peer cannot be reached or is silent. */
export const sendMllp = (o: MllpSendOptions): Promise<Buffer> =>
  new Promise<Buffer>((resolve, reject) => {
    const decoder = new MllpDecoder(o.maxAnswerBytes ?? 1024 * 1024);
    const socket = net.connect(o.port, o.host);
    let done = false;
    const finish = (err: Error | undefined, answer?: Buffer): void => {
      if (done) {
        return;
      }
      done = true;
      socket.destroy();
      if (err !== undefined) {
        reject(err);
      } else {
        resolve(answer ?? Buffer.alloc(0));
      }
    };
    socket.setTimeout(o.timeoutMs ?? 30_000, () => finish(new GatewayError('MLLP_PEER_UNREACHABLE', 'The MLLP peer did not answer in time.')));
    socket.once('error', (err) => finish(new GatewayError('MLLP_PEER_UNREACHABLE', `The MLLP peer cannot be reached: ${err.message}`, { cause: err })));
    socket.once('close', () => finish(new GatewayError('MLLP_PEER_UNREACHABLE', 'The MLLP peer closed the connection without answering.')));
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        finish(undefined, ev.kind === 'message' ? ev.payload : undefined);
        return;
      }
    });
    socket.once('connect', () => socket.write(frame(o.payload)));
  });
