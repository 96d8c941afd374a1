/**
 * One HTTPS POST with mutual TLS (the structure's authentication certificate; the server checked against the
 * configured CA bundle). Tells apart "nothing was sent" (safe to retry) from "sent, no answer" (uncertain).
 */
import { Agent, request } from 'node:https';

export interface TlsMaterial {
  readonly keyPem: string;
  /** Leaf + chain, PEM. */
  readonly certChainPem: string;
  /** Trusted CAs for the server certificate, PEM. */
  readonly caPem: string;
}

export type HttpResult =
  | { readonly kind: 'answer'; readonly status: number; readonly contentType?: string; readonly body: Buffer }
  | { readonly kind: 'not_sent'; readonly reason: string; readonly tls: boolean }
  | { readonly kind: 'no_answer'; readonly reason: string };

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HANDSHAKE|ALERT/i;

/**
 * One keep-alive agent per set of TLS material (per route): a connection and its mutual-TLS handshake serve
 * many documents instead of one. Idle sockets are unreferenced by node, so they never hold the process.
 */
const agents = new WeakMap<TlsMaterial, Agent>();
const agentFor = (tls: TlsMaterial): Agent => {
  let a = agents.get(tls);
  if (!a) {
    a = new Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 32, maxFreeSockets: 8 });
    agents.set(tls, a);
  }
  return a;
};

export const postOnce = (url: string, body: Buffer, headers: Readonly<Record<string, string>>, tls: TlsMaterial, timeoutMs: number): Promise<HttpResult> =>
  new Promise((resolvePromise) => {
    let settled = false;
    let finished = false;
    let connected = false;
    /** The whole request was handed to an established TLS connection. */
    const sent = (): boolean => finished && connected;
    const done = (r: HttpResult): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolvePromise(r);
      }
    };
    const u = new URL(url);
    const req = request({
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port || 443,
      path: `${u.pathname}${u.search}`,
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.byteLength) },
      key: tls.keyPem,
      cert: tls.certChainPem,
      ca: tls.caPem,
      // TLS 1.2 as the DMP uses (standards.md §4.2): the server judges the client certificate inside the
      // handshake, so a refused certificate is told apart from a request lost after sending.
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      agent: agentFor(tls),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ kind: 'answer', status: res.statusCode ?? 0, ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}), body: Buffer.concat(chunks) }));
      res.on('error', (e) => done({ kind: 'no_answer', reason: `the answer was cut: ${e.message}` }));
      res.on('aborted', () => done({ kind: 'no_answer', reason: 'the answer was cut' }));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
      done(sent() ? { kind: 'no_answer', reason: `no answer within ${timeoutMs} ms` } : { kind: 'not_sent', reason: `could not send within ${timeoutMs} ms`, tls: false });
    }, timeoutMs);
    req.on('socket', (socket) => {
      if (req.reusedSocket) {
        connected = true; // a kept-alive connection: its handshake is long done
        return;
      }
      socket.once('secureConnect', () => {
        connected = true;
      });
    });
    req.on('finish', () => {
      finished = true;
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      if (TLS_ERROR.test(code) || TLS_ERROR.test(e.message)) {
        done({ kind: 'not_sent', reason: `TLS: ${code || e.message}`, tls: true });
      } else if (sent()) {
        done({ kind: 'no_answer', reason: `connection lost after sending (${code || e.message})` });
      } else {
        done({ kind: 'not_sent', reason: `${code || e.message}`, tls: false });
      }
    });
    req.end(body);
  });
