import { request } from 'node:https';
import type { TestPki } from '../../certs/pki.js';

/** Talks to the DMP simulator's test endpoints over its mutual TLS, as the structure certificate. */
export function simRequest(pki: TestPki, url: string, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      { method, ca: pki.caBundle, cert: pki.entities.structureAuth.cert, key: pki.entities.structureAuth.key, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            ok({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch {
            ok({ status: res.statusCode ?? 0, json: text });
          }
        });
      },
    );
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export interface SimDocumentView {
  readonly uniqueId: string;
  readonly setId: string;
  readonly versionNumber: number;
  readonly patientIns: string;
  readonly status: string;
  readonly signatureVerified?: boolean;
}

export const simDocuments = async (pki: TestPki, base: string): Promise<SimDocumentView[]> =>
  ((await simRequest(pki, `${base.replace(/\/+$/, '')}/_sim/documents`, 'GET')).json as { documents: SimDocumentView[] }).documents;
