/** The dashboard's pages (French labels), as pure renderers of already-loaded data. */
import type { AuditRecord } from '../../../core/audit/chain.js';
import { TRANSMISSION_STATES } from '../../../core/policy/states.js';
import type { Transmission } from '../../storage/transmissions.js';
import type { AuditVerification } from '../../audit/verify.js';
import { EVENT_LABELS, h, OUTCOME_LABELS, page, raw, STATE_LABELS, type Raw, type Viewer } from '../../ui/html.js';
import { TRAIT_LABELS, type HoldView } from '../../ui/holds.js';

const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC') : '—');

export const loginPage = (error?: string): string =>
  page(
    'Connexion',
    h`<h1>Connexion au tableau de bord</h1>
${error ? h`<p class="ko" role="alert">${error}</p>` : ''}
<form method="post" action="/ui/login">
<p><label for="token">Jeton d'API</label><input id="token" name="token" type="password" size="60" autocomplete="off" required></p>
<p><button type="submit">Se connecter</button></p></form>
<p>Les jetons sont créés par un administrateur ; en mode bac à sable, ils sont dans <code>./data/sandbox-tokens.json</code>.</p>`,
  );

export interface CertificateIndicator {
  readonly name: string;
  readonly notAfter?: Date;
  readonly fingerprint?: string;
  readonly problem?: string;
}

export const verificationBlock = (v: AuditVerification): Raw =>
  v.ok
    ? h`<p id="audit-status" class="ok">Piste d'audit intègre : ${v.records} enregistrements, ${v.checkpoints} point(s) de contrôle signé(s)${v.lastCheckpoint ? h`, dernier au n° ${v.lastCheckpoint.seq} (${when(v.lastCheckpoint.at)})` : ''} — vérifiée le ${when(v.verifiedAt)}.</p>
${v.warnings.map((w) => h`<p class="warn">${w}</p>`)}`
    : h`<p id="audit-status" class="ko">Piste d'audit ALTÉRÉE — premier enregistrement en cause : n° ${v.firstBad?.seq} (${v.firstBad?.reason}) : ${v.firstBad?.message} — vérifiée le ${when(v.verifiedAt)}.</p>`;

export const dashboardPage = (viewer: Viewer, counts: Record<string, number>, v: AuditVerification | undefined, certs: readonly CertificateIndicator[], now: Date): string => {
  const queue = ['received', 'ready', 'sending', 'retry_wait', 'uncertain'].reduce((n, s) => n + (counts[s] ?? 0), 0);
  const day = 86400000;
  return page(
    'Tableau de bord',
    h`<h1>Tableau de bord</h1>
<div class="cards">
<div class="card" id="queue">File d'envoi<b>${queue}</b>en cours ou à envoyer</div>
<div class="card">Mises en attente (identité)<b>${counts['identity_hold'] ?? 0}</b><a href="/ui/holds">Voir</a></div>
<div class="card">En échec<b>${counts['failed'] ?? 0}</b><a href="/ui/transmissions?status=failed">Voir</a></div>
<div class="card">En quarantaine<b>${counts['quarantined'] ?? 0}</b><a href="/ui/transmissions?status=quarantined">Voir</a></div>
<div class="card">Déposées au DMP<b>${counts['delivered'] ?? 0}</b><a href="/ui/transmissions?status=delivered">Voir</a></div>
</div>
<h2>Transmissions par état</h2>
<table><tr><th>État</th><th>Nombre</th></tr>${TRANSMISSION_STATES.map((s) => h`<tr><td><a href="/ui/transmissions?status=${s}">${STATE_LABELS[s] ?? s}</a></td><td>${counts[s] ?? 0}</td></tr>`)}</table>
<h2>Piste d'audit</h2>${v ? verificationBlock(v) : h`<p>Réservé au rôle conformité.</p>`}
<h2>Certificats</h2>
<table id="certificates"><tr><th>Certificat</th><th>Expire le</th><th>État</th></tr>${certs.map((c) => {
      const left = c.notAfter ? Math.floor((c.notAfter.getTime() - now.getTime()) / day) : undefined;
      const cls = left === undefined || left < 0 ? 'ko' : left < 30 ? 'warn' : 'ok';
      const text = c.problem ?? (left === undefined ? 'inconnu' : left < 0 ? 'expiré' : `${left} jours restants`);
      return h`<tr><td>${c.name}</td><td>${c.notAfter ? when(c.notAfter.toISOString()) : '—'}</td><td class="${cls}">${text}</td></tr>`;
    })}</table>`,
    viewer,
  );
};

export const transmissionsPage = (viewer: Viewer, items: readonly Transmission[], filter: Record<string, string>, next: string | undefined): string =>
  page(
    'Transmissions',
    h`<h1>Transmissions</h1>
<form method="get" action="/ui/transmissions" id="filters">
<label>État <select name="status"><option value="">(tous)</option>${TRANSMISSION_STATES.map((s) => h`<option value="${s}"${raw(filter['status'] === s ? ' selected' : '')}>${STATE_LABELS[s] ?? s}</option>`)}</select></label>
<label>INS <input name="ins" value="${filter['ins'] ?? ''}" size="17"></label>
<label>Depuis <input name="since" type="date" value="${filter['since'] ?? ''}"></label>
<label>Jusqu'au <input name="until" type="date" value="${filter['until'] ?? ''}"></label>
<button type="submit">Filtrer</button></form>
<p>${items.length} transmission(s)</p>
<table id="transmissions"><tr><th>Reçue le</th><th>N° de demande</th><th>État</th><th>Document</th><th>Tentatives</th><th>Dernière erreur</th></tr>
${items.map((t) => h`<tr data-status="${t.status}"><td><a href="/ui/transmissions/${t.id}">${when(t.createdAt)}</a></td><td>${t.accession}</td><td>${STATE_LABELS[t.status] ?? t.status}</td><td>${t.documentUniqueId ?? '—'}${t.versionNumber ? ` (v${t.versionNumber})` : ''}</td><td>${t.attempts}</td><td>${t.lastErrorCode ?? ''}</td></tr>`)}
</table>
${next ? h`<p><a href="/ui/transmissions?${new URLSearchParams({ ...filter, cursor: next }).toString()}">Page suivante</a></p>` : ''}`,
    viewer,
  );

/** The ebRS RegistryResponse status (ITI-41 answer) and error codes, when the answer carries them. */
const answerStatus = (answer: string): Raw => {
  const status = /ResponseStatusType:([A-Za-z]+)/.exec(answer)?.[1];
  const codes = [...answer.matchAll(/errorCode="([^"]+)"/g)].map((m) => m[1]);
  return status ? h`<p>Statut de la réponse : <strong class="${status === 'Success' ? 'ok' : 'ko'}">${status}</strong>${codes.length ? ` — codes : ${codes.join(', ')}` : ''}</p>` : raw('');
};

export const transmissionPage = (viewer: Viewer, t: Transmission, timeline: readonly AuditRecord[]): string =>
  page(
    `Transmission ${t.accession}`,
    h`<h1>Transmission ${t.accession}</h1>
<table><tr><th>État</th><td id="state">${STATE_LABELS[t.status] ?? t.status}</td></tr>
<tr><th>Identifiant</th><td>${t.id}</td></tr><tr><th>Reçue le</th><td>${when(t.createdAt)}</td></tr>
<tr><th>Document (uniqueId)</th><td>${t.documentUniqueId ?? '—'}</td></tr><tr><th>Lot (setId), version</th><td>${t.setId ?? '—'} ${t.versionNumber ? `v${t.versionNumber}` : ''}</td></tr>
<tr><th>Tentatives</th><td>${t.attempts}</td></tr><tr><th>Prochain essai</th><td>${when(t.nextAttemptAt)}</td></tr>
<tr><th>Dernière erreur</th><td>${t.lastErrorCode ?? ''} ${t.lastError ?? ''}</td></tr></table>
${t.issues.length ? h`<h2>Motifs</h2><ul>${t.issues.map((i) => h`<li>${i.code}${i.path ? ` (${i.path})` : ''} : ${i.message}</li>`)}</ul>` : ''}
<h2>Réponse du DMP</h2>${t.dmpAnswer ? h`${answerStatus(t.dmpAnswer)}<pre id="dmp-answer">${t.dmpAnswer}</pre>` : h`<p id="dmp-answer">Pas encore de réponse.</p>`}
<h2>Chronologie</h2>
<table id="timeline"><tr><th>Date</th><th>Événement</th><th>Résultat</th><th>Par</th><th>Détails</th></tr>
${timeline.map((r) => h`<tr><td>${when(r.at)}</td><td>${EVENT_LABELS[r.type] ?? r.type}</td><td>${OUTCOME_LABELS[r.outcome] ?? r.outcome}</td><td>${r.actor}</td><td><code>${r.details}</code></td></tr>`)}
</table>
${viewer.role === 'compliance' || viewer.role === 'admin' ? h`<p><a href="/ui/transmissions/${t.id}/evidence">Télécharger le dossier de preuve (zip)</a></p>` : ''}`,
    viewer,
  );

const traitsTable = (hold: HoldView): Raw => {
  const keys = [...new Set([...Object.keys(hold.silTraits), ...Object.keys(hold.insTraits ?? {})])];
  return h`<table class="traits"><tr><th>Trait</th><th>Transmis par le SIL</th><th>Traits INS (INSi)</th></tr>
${keys.map((k) => {
    const a = hold.silTraits[k];
    const b = hold.insTraits?.[k];
    const differs = hold.insTraits !== undefined && b !== undefined && a !== undefined && a.toUpperCase() !== b.toUpperCase();
    return h`<tr${raw(differs ? ' class="diff"' : '')}><th>${TRAIT_LABELS.get(k) ?? k}</th><td>${a ?? '—'}</td><td>${hold.insTraits ? (b ?? '—') : 'aucun trait INS enregistré'}</td></tr>`;
  })}</table>`;
};

export const holdsPage = (viewer: Viewer, holds: readonly HoldView[], message?: string): string =>
  page(
    'Mises en attente',
    h`<h1>Mises en attente pour identité</h1>${message ? h`<p class="ok" role="status">${message}</p>` : ''}
<p>${holds.length} mise(s) en attente</p>
<table id="holds"><tr><th>Depuis</th><th>N° de demande</th><th>Motifs</th></tr>
${holds.map((x) => h`<tr><td><a href="/ui/holds/${x.id}">${when(x.createdAt)}</a></td><td>${x.accession}</td><td>${x.reasons.map((r) => r.code).join(', ')}</td></tr>`)}</table>`,
    viewer,
  );

export const holdPage = (viewer: Viewer, hold: HoldView, error?: string): string =>
  page(
    'Mise en attente',
    h`<h1>Mise en attente — demande ${hold.accession}</h1>${error ? h`<p class="ko" role="alert">${error}</p>` : ''}
<h2>Motifs</h2><ul id="reasons">${hold.reasons.map((r) => h`<li><code>${r.code}</code> ${r.message}</li>`)}</ul>
<h2>Traits d'identité</h2>${traitsTable(hold)}
<h2>Décision</h2>
<form method="post" action="/ui/holds/${hold.id}/decision" id="release-form">
<input type="hidden" name="_csrf" value="${viewer.csrf}"><input type="hidden" name="decision" value="release">
<p><label><input type="checkbox" name="confirmed" value="yes" required> J'ai vérifié l'identité et je confirme les motifs ci-dessus</label></p>
<p><button type="submit">Lever la mise en attente (envoyer au DMP)</button></p></form>
<form method="post" action="/ui/holds/${hold.id}/decision" id="reject-form">
<input type="hidden" name="_csrf" value="${viewer.csrf}"><input type="hidden" name="decision" value="reject">
<p><label for="reasonCode">Motif du rejet</label><select id="reasonCode" name="reasonCode">
<option value="WRONG_PATIENT">Mauvais patient</option><option value="DUPLICATE">Doublon</option><option value="NOT_FOR_DMP">Ne doit pas aller au DMP</option><option value="OTHER">Autre</option></select>
<button type="submit">Rejeter</button></p></form>
<p><a href="/ui/transmissions/${hold.transmissionId}">Voir la transmission</a></p>`,
    viewer,
  );

export const auditPage = (viewer: Viewer, v: AuditVerification, records: readonly AuditRecord[]): string =>
  page(
    "Piste d'audit",
    h`<h1>Piste d'audit</h1>${verificationBlock(v)}
<p>Export : <a href="/ui/audit/export?format=csv">CSV</a> · <a href="/ui/audit/export?format=jsonl">JSON lines</a> · <a href="/ui/audit/export?format=fhir">FHIR AuditEvent</a></p>
<h2>Derniers enregistrements</h2>
<table><tr><th>N°</th><th>Date</th><th>Événement</th><th>Résultat</th><th>Par</th><th>Transmission</th></tr>
${records.map((r) => h`<tr><td>${r.seq}</td><td>${when(r.at)}</td><td>${EVENT_LABELS[r.type] ?? r.type}</td><td>${OUTCOME_LABELS[r.outcome] ?? r.outcome}</td><td>${r.actor}</td><td>${r.transmissionId ? h`<a href="/ui/transmissions/${r.transmissionId}">${r.transmissionId}</a>` : ''}</td></tr>`)}</table>`,
    viewer,
  );

export const forbiddenPage = (viewer: Viewer, need: string): string => page('Accès refusé', h`<h1>Accès refusé</h1><p>Cette page demande le rôle ${need}.</p>`, viewer);
