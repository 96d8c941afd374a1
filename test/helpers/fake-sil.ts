/**
 * A SIL's MLLP listener on loopback (node:net + our framing), for the DMP receipts the gateway sends it: keeps every
 * message received, answers each with an ACK (scripted: AA by default), and can go down and come back on the same
 * port.
 */
import net from 'node:net';
import { buildAck, readInboundHeader, type AckCode } from '../../src/adapters/hl7v2/ack.js';
import { frame, MllpDecoder } from '../../src/adapters/mllp/framing.js';

export type SilAnswer = AckCode | 'silent' | 'garbage' | 'other-id';

export class FakeSil {
  readonly received: Buffer[] = [];
  /** Answers for the next messages, consumed in order; AA when empty. */
  readonly script: SilAnswer[] = [];
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private acks = 0;
  port = 0;

  static async start(): Promise<FakeSil> {
    const sil = new FakeSil();
    await sil.up();
    return sil;
  }

  /** Listens (again) — on the same port once it has one. */
  async up(): Promise<void> {
    const server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: the SIL is down. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) {
      s.destroy();
    }
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** The received messages as text (the ZAM is UTF-8, as its MSH-18 says). */
  get texts(): string[] {
    return this.received.map((b) => b.toString('utf8'));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new MllpDecoder(1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind !== 'message') {
          continue;
        }
        this.received.push(ev.payload);
        const answer = this.script.shift() ?? 'AA';
        if (answer === 'silent') {
          continue;
        }
        if (answer === 'garbage') {
          socket.write(frame(Buffer.from('this is not HL7')));
          continue;
        }
        const header = readInboundHeader(ev.payload);
        const inbound = header && answer === 'other-id' ? { ...header, controlId: 'SOMETHING-ELSE' } : header;
        const ack = buildAck(inbound, { code: answer === 'other-id' ? 'AA' : answer }, new Date('2026-03-01T10:00:05Z'), `SILACK${++this.acks}`);
        socket.write(frame(Buffer.from(ack, 'utf8')));
      }
    });
  }
}
