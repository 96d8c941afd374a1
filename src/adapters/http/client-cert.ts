/**
 * Optional client-certificate authentication for the SIL (issue 8). When `http.tlsP12` is set, the gateway also
 * listens with HTTPS on `http.tlsPort` and asks for a client certificate (not required: tokens keep working). A
 * certificate that chains to the PKI's CA bundle and whose SHA-256 fingerprint is listed in
 * `sil.clientCertFingerprints` authenticates as role `sil` — it can submit reports, nothing else.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import type Koa from 'koa';
import type { Config } from '../../config/config.js';
import type { Principal } from '../storage/tokens.js';

/** The SIL principal for the request's verified client certificate, if it is one of the configured ones. */
export const clientCertPrincipal = (ctx: Context, fingerprints: readonly string[]): Principal | undefined => {
  const sock = ctx.req.socket as Partial<TLSSocket>;
  if (fingerprints.length === 0 || typeof sock.getPeerCertificate !== 'function' || sock.authorized !== true) {
    return undefined;
  }
  const cert = sock.getPeerCertificate();
  const fp = cert.fingerprint256?.toUpperCase();
  if (!fp || !fingerprints.some((f) => f.toUpperCase() === fp)) {
    return undefined;
  }
  const cn = cert.subject?.CN;
  return { tokenId: `cert:${fp}`, role: 'sil', label: typeof cn === 'string' ? cn : 'SIL certificate' };
};

/** The HTTPS listener with optional client certificates, serving the same app. */
export async function startHttpsListener(config: Config, app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const handle = app.callback();
  const server: Server = createServer(
    {
      pfx: readFileSync(config.http.tlsP12 ?? ''),
      passphrase: config.pki.passphrase ?? '',
      ca: readFileSync(join(config.pki.dir, 'ca-bundle.pem')),
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.http.tlsPort, config.http.host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `https://${addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
