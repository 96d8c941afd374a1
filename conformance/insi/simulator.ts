/**
 * INSi simulator: real TLS with client certificates (untrusted chain → handshake refused), DESIR_560 when the
 * client certificate CN is not INSI-AUTO / INSI-MANU, desir_550 for an unknown IDAM, 00 / 01 / 02 from a
 * dataset. Fault injection (delay, a given fault) for tests, in process or at POST /_sim/faults.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { faultEnvelope, FAULTS, resultEnvelope, type SimFault } from './answers.js';
import { DEFAULT_DATASET, type SimIdentity } from './dataset.js';
import { readSimRequest, type SimRequest } from './request.js';

export const ACTIONS = {
  RECSANSVITALE: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite',
  RECVITALE: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale',
} as const;

export interface InsiSimulatorOptions {
  /** Server certificate and key (PEM). */
  readonly cert: string;
  readonly key: string;
  /** CA bundle client certificates must chain to (PEM). */
  readonly clientCa: string;
  readonly knownIdams: readonly string[];
  readonly dataset?: readonly SimIdentity[];
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  /** Do not keep the process alive for this server (in-process use next to a gateway). */
  readonly unref?: boolean;
}

export interface SimRecord {
  readonly clientCn: string;
  readonly request?: SimRequest;
  readonly codeCR?: string;
  readonly fault?: string;
}

export type InjectedFault = { readonly kind: 'delay'; readonly ms: number } | { readonly kind: 'fault'; readonly fault: SimFault };

export interface InsiSimulator {
  readonly url: string;
  readonly port: number;
  readonly received: readonly SimRecord[];
  /** The next `count` calls get this fault (default 1). */
  inject(f: InjectedFault, count?: number): void;
  close(): Promise<void>;
}

const norm = (s: string | undefined): string => (s ?? '').trim().toUpperCase();

/** RECSANSVITALE matching: same birth name, sex and date; every first name asked is one of the list; COG if given. */
export const matchTraits = (data: readonly SimIdentity[], r: SimRequest): SimIdentity[] => {
  const asked = r.givenNames.flatMap((g) => norm(g).split(/\s+/)).filter((t) => t !== '');
  return data.filter((p) => {
    const list = p.givenNames.split(' ');
    return (
      norm(r.birthName) === p.birthName &&
      norm(r.sex) === p.sex &&
      (r.birthDate ?? '') === p.birthDate &&
      (r.birthPlace === undefined || norm(r.birthPlace) === p.birthPlaceCog) &&
      asked.length > 0 &&
      asked.every((t) => list.includes(t))
    );
  });
};

const matchCard = (data: readonly SimIdentity[], r: SimRequest): SimIdentity[] =>
  data.filter(
    (p) =>
      p.matricule === norm(r.matricule) &&
      p.key === (r.key ?? '').trim() &&
      (r.birthName === undefined || norm(r.birthName) === p.birthName) &&
      (r.birthDate === undefined || r.birthDate === p.birthDate),
  );

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export const startInsiSimulator = async (opts: InsiSimulatorOptions): Promise<InsiSimulator> => {
  const data = opts.dataset ?? DEFAULT_DATASET;
  const path = opts.path ?? '/lps';
  const received: SimRecord[] = [];
  const injected: InjectedFault[] = [];

  const soap = (res: ServerResponse, status: number, xml: string) => {
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
    res.end(xml);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const clientCn = typeof peer.subject?.CN === 'string' ? peer.subject.CN : '';
    const body = await readBody(req);
    if (req.url === '/_sim/faults' && req.method === 'POST') {
      const f = JSON.parse(body) as { delayMs?: number; fault?: SimFault; count?: number };
      const count = f.count ?? 1;
      for (let i = 0; i < count; i += 1) {
        injected.push(f.delayMs !== undefined ? { kind: 'delay', ms: f.delayMs } : { kind: 'fault', fault: f.fault ?? FAULTS.badRequest });
      }
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/_sim/requests' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const inj = injected.shift();
    if (inj?.kind === 'delay') {
      await new Promise((r) => setTimeout(r, inj.ms));
    }
    let r: SimRequest;
    try {
      r = readSimRequest(body);
    } catch {
      received.push({ clientCn, fault: FAULTS.badRequest.code });
      soap(res, 500, faultEnvelope(FAULTS.badRequest, ''));
      return;
    }
    const fault = (f: SimFault) => {
      received.push({ clientCn, request: r, fault: f.code });
      soap(res, 500, faultEnvelope(f, r.messageId ?? ''));
    };
    if (inj?.kind === 'fault') {
      fault(inj.fault);
      return;
    }
    if (clientCn !== 'INSI-AUTO' && clientCn !== 'INSI-MANU') {
      fault(FAULTS.accessLevel);
      return;
    }
    if (!r.hasLps || !r.hasBam || !r.messageId || !r.operation || r.action !== ACTIONS[r.operation]) {
      fault(FAULTS.badRequest);
      return;
    }
    if (!r.idam || !opts.knownIdams.includes(r.idam)) {
      fault(FAULTS.unknownIdam);
      return;
    }
    if (r.operation === 'RECSANSVITALE' && (!r.birthName || r.givenNames.length === 0 || !r.sex || !r.birthDate)) {
      fault(FAULTS.badRequest);
      return;
    }
    const found = r.operation === 'RECSANSVITALE' ? matchTraits(data, r) : matchCard(data, r);
    const codeCR = found.length === 0 ? '01' : found.length === 1 ? '00' : '02';
    received.push({ clientCn, request: r, codeCR });
    soap(res, 200, resultEnvelope(found));
  };

  const server: Server = createServer({ cert: opts.cert, key: opts.key, ca: opts.clientCa, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  if (opts.unref) {
    server.unref();
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://${opts.host ?? '127.0.0.1'}:${port}${path}`,
    port,
    received,
    inject(f, count = 1) {
      for (let i = 0; i < count; i += 1) {
        injected.push(f);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
