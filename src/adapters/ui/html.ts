/** Server-rendered HTML for the dashboard: escaping, the page frame, French labels. No framework, no script. */

const text = (v: unknown): string => {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return String(v);
  }
  return v === null || v === undefined ? '' : JSON.stringify(v);
};

export const esc = (v: unknown): string => text(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Tagged template: interpolated values are escaped unless wrapped in raw(). */
export class Raw {
  constructor(readonly html: string) {}
}
export const raw = (html: string): Raw => new Raw(html);
export const h = (strings: TemplateStringsArray, ...values: unknown[]): Raw =>
  raw(strings.reduce((acc, s, i) => acc + s + (i < values.length ? render(values[i]) : ''), ''));
const render = (v: unknown): string => (v instanceof Raw ? v.html : Array.isArray(v) ? v.map(render).join('') : esc(v));

export const STATE_LABELS: Readonly<Record<string, string>> = {
  received: 'Reçue',
  identity_hold: "En attente (identité)",
  opposed: 'Opposition du patient',
  quarantined: 'En quarantaine',
  ready: 'Prête à envoyer',
  sending: 'Envoi en cours',
  retry_wait: 'Nouvel essai prévu',
  delivered: 'Déposée au DMP',
  failed: 'Échec',
  uncertain: 'Incertaine (rapprochement)',
  rejected: 'Rejetée',
};

export const EVENT_LABELS: Readonly<Record<string, string>> = {
  'report.received': 'Compte rendu reçu',
  'report.rejected': 'Compte rendu refusé',
  'identity.decision': "Décision d'identité",
  'identity.hold.released': 'Mise en attente levée',
  'identity.hold.rejected': 'Mise en attente rejetée',
  'insi.query': 'Appel INSi',
  'document.built': 'Document CDA produit',
  'document.quarantined': 'Document mis en quarantaine',
  'delivery.attempt': "Tentative d'envoi au DMP",
  'delivery.outcome': 'Réponse du DMP',
  'delivery.reconciled': 'Rapprochement avec le DMP',
  'transmission.state': "Changement d'état",
  'transmission.replay': 'Relance',
  'user.read': 'Consultation',
  'user.action': 'Action utilisateur',
  'auth.denied': 'Accès refusé',
  'config.loaded': 'Configuration chargée',
  'certificate.loaded': 'Certificat chargé',
  'audit.checkpoint': "Point de contrôle d'audit",
  'retention.purge': 'Purge (durée de conservation)',
  'receipt.queued': 'Accusé de réception DMP à envoyer au SIL',
  'receipt.attempt': "Envoi de l'accusé de réception DMP au SIL",
  'receipt.failed': 'Accusé de réception DMP abandonné',
};

export const OUTCOME_LABELS: Readonly<Record<string, string>> = { success: 'succès', failure: 'échec', info: 'info' };

export const ROLE_LABELS: Readonly<Record<string, string>> = { sil: 'SIL', identity: 'Identitovigilance', compliance: 'Conformité', admin: 'Administration' };

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f6}
header{background:#000091;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:center}
header a{color:#fff;text-decoration:none}header a:hover{text-decoration:underline}
header .who{margin-left:auto;font-size:.85rem}
main{padding:1rem 1.2rem;max-width:72rem}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef}.ok{color:#18753c;font-weight:600}.ko{color:#ce0500;font-weight:600}.warn{color:#b34000}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;padding:.7rem 1rem;min-width:11rem}
.card b{display:block;font-size:1.5rem}form.inline{display:inline}
label{margin-right:.8rem}input,select,button{font:inherit}button{cursor:pointer}
pre{background:#fff;border:1px solid #ddd;padding:.6rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-all}
td code{word-break:break-all;font-size:.85rem}
.diff{background:#fee}.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
`;

export interface Viewer {
  readonly role: string;
  readonly label: string;
  readonly csrf: string;
}

export const page = (title: string, body: Raw, viewer?: Viewer): string =>
  `<!doctype html>\n${
    h`<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — dmp-gateway</title><style>${raw(CSS)}</style></head><body>
<header><strong>dmp-gateway</strong>${
      viewer
        ? h`<a href="/ui/">Tableau de bord</a><a href="/ui/transmissions">Transmissions</a><a href="/ui/holds">Mises en attente</a><a href="/ui/audit">Piste d'audit</a>
<span class="who">${viewer.label} (${ROLE_LABELS[viewer.role] ?? viewer.role})
<form class="inline" method="post" action="/ui/logout"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit">Se déconnecter</button></form></span>`
        : ''
    }</header>
<main>${body}</main></body></html>`.html
  }`;
