/**
 * INSi client over mutual TLS (standards.md §2): SOAP 1.2 POST, a timeout, faults and transport failures
 * mapped to catalogue errors, and the first-name strategy on 01 / 02 answers.
 */
import { request } from 'node:https';
import { GatewayError, isGatewayError } from '../../core/errors/index.js';
import type { Clock, Ids } from '../../app/ports.js';
import type { InsiCredentials } from './credentials.js';
import { ACTION, recSansVitaleEnvelope, recVitaleEnvelope, type CardQuery, type LpsContext, type TraitsQuery } from './envelope.js';
import { parseInsiResponse, type InsiAnswer } from './response.js';

export interface InsiClientOptions {
  /** https URL of the INSi endpoint. */
  readonly endpoint: string;
  readonly credentials: InsiCredentials;
  /** PEM bundle the server certificate must chain to. */
  readonly trust: string;
  readonly lps: Omit<LpsContext, 'emitter'> & { readonly emitter?: string };
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly ids: Ids;
}

/** One exchange, kept for the audit trail (request and response XML). */
export interface InsiExchange {
  readonly action: string;
  readonly query: TraitsQuery | CardQuery;
  readonly requestXml: string;
  readonly responseXml?: string;
  readonly answer?: InsiAnswer;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface InsiSearchResult {
  /** The final answer (00 if any attempt found exactly one identity). */
  readonly answer: InsiAnswer;
  /** Every call made, in order. */
  readonly exchanges: readonly InsiExchange[];
}

const TLS_ERRORS = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_OSSL)/;

export class InsiClient {
  constructor(private readonly opts: InsiClientOptions) {}

  private lps(): LpsContext {
    return { ...this.opts.lps, emitter: this.opts.lps.emitter ?? this.opts.credentials.emitter };
  }

  private ids() {
    const { ids, clock } = this.opts;
    return { messageId: ids.uuid(), lpsId: ids.uuid(), bamId: ids.uuid(), time: clock.now().toISOString() };
  }

  /** POST one envelope; resolves with the body whatever the HTTP status (faults come with 500). */
  private post(action: string, xml: string): Promise<string> {
    const url = new URL(this.opts.endpoint);
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const done = (f: () => void) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          f();
        }
      };
      const req = request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port || 443,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          key: this.opts.credentials.key,
          cert: this.opts.credentials.certChain,
          ca: this.opts.trust,
          agent: false,
          headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"`, 'content-length': Buffer.byteLength(xml) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(() => resolve(Buffer.concat(chunks).toString('utf8'))));
          res.on('error', (e) => done(() => reject(e)));
        },
      );
      const timer = setTimeout(() => {
        done(() => reject(new GatewayError('INSI_TIMEOUT', `INSi did not answer within ${this.opts.timeoutMs} ms.`)));
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        done(() => {
          const code = e.code ?? '';
          if (TLS_ERRORS.test(code) || /alert|certificate|handshake/i.test(e.message)) {
            reject(new GatewayError('INSI_TLS_FAILED', `The TLS handshake with INSi failed (${code || 'TLS error'}).`, { cause: e }));
          } else if (code === 'ECONNRESET' && !req.reusedSocket) {
            reject(new GatewayError('INSI_TLS_FAILED', 'INSi closed the connection during the handshake (client certificate refused?).', { cause: e }));
          } else {
            reject(new GatewayError('INSI_UNAVAILABLE', `INSi cannot be reached (${code || 'network error'}).`, { cause: e }));
          }
        });
      });
      req.end(xml);
    });
  }

  private async exchange(action: string, query: TraitsQuery | CardQuery, xml: string, log: InsiExchange[]): Promise<InsiAnswer> {
    let responseXml: string | undefined;
    try {
      responseXml = await this.post(action, xml);
      const answer = parseInsiResponse(responseXml);
      log.push({ action, query, requestXml: xml, responseXml, answer });
      return answer;
    } catch (e) {
      const err = isGatewayError(e) ? e : new GatewayError('INSI_UNAVAILABLE', 'INSi call failed.', { cause: e });
      log.push({ action, query, requestXml: xml, ...(responseXml !== undefined ? { responseXml } : {}), error: { code: err.code, message: err.message } });
      throw err;
    }
  }

  /** One RECSANSVITALE call. */
  async searchWithTraits(q: TraitsQuery, log: InsiExchange[] = []): Promise<InsiAnswer> {
    return this.exchange(ACTION.withTraits, q, recSansVitaleEnvelope(q, this.lps(), this.ids()), log);
  }

  /** One RECVITALE call. */
  async searchWithCard(q: CardQuery, log: InsiExchange[] = []): Promise<InsiAnswer> {
    return this.exchange(ACTION.withCard, q, recVitaleEnvelope(q, this.lps(), this.ids()), log);
  }

  /**
   * The first-name strategy (standards.md §2.2): start with the first birth first name, without the birth
   * place. On 01, try each other first name alone, then the whole list. On 02, add the other first names
   * (the whole list), then the birth place code. Stops at the first 00.
   */
  async search(traits: { birthName: string; birthGivenNames: string; sex: 'M' | 'F'; birthDate: string; birthPlaceCog?: string }): Promise<InsiSearchResult> {
    const exchanges: InsiExchange[] = [];
    const names = traits.birthGivenNames.trim().split(/\s+/).filter((n) => n !== '');
    const base = { birthName: traits.birthName, sex: traits.sex, birthDate: traits.birthDate };
    const tried = new Set<string>();
    const ask = async (q: TraitsQuery): Promise<InsiAnswer | undefined> => {
      const k = JSON.stringify(q);
      if (tried.has(k)) {
        return undefined;
      }
      tried.add(k);
      return this.searchWithTraits(q, exchanges);
    };
    const first = await ask({ ...base, givenNames: names.slice(0, 1) });
    if (!first || first.code === '00') {
      return { answer: first ?? { code: '01', label: 'Aucune identite trouvee' }, exchanges };
    }
    let last: InsiAnswer = first;
    const plan: TraitsQuery[] =
      first.code === '01'
        ? [...names.slice(1).map((n) => ({ ...base, givenNames: [n] })), { ...base, givenNames: [names.join(' ')] }]
        : [
            { ...base, givenNames: [names.join(' ')] },
            ...(traits.birthPlaceCog ? [{ ...base, givenNames: [names.join(' ')], birthPlaceCog: traits.birthPlaceCog }] : []),
          ];
    for (const q of plan) {
      const a = await ask(q);
      if (!a) {
        continue;
      }
      if (a.code === '00') {
        return { answer: a, exchanges };
      }
      // A 02 is more informative than a 01: keep it as the final answer.
      if (a.code === '02' || last.code !== '02') {
        last = a;
      }
      if (a.code === '02' && first.code === '01' && traits.birthPlaceCog && !plan.some((p) => p.birthPlaceCog)) {
        plan.push({ ...base, givenNames: [names.join(' ')], birthPlaceCog: traits.birthPlaceCog });
      }
    }
    return { answer: last, exchanges };
  }
}
