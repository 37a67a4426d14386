// Operator console: plain browser JS, no build step. The token lives in sessionStorage only (gone when the tab
// closes) and is sent as a Bearer header; every text from the API is inserted as text, never as HTML.
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const state = {
    token: sessionStorage.getItem('auditToken') || '',
    me: null,
    offset: 0,
    limit: 50,
    total: 0,
    current: null,
  };

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of [].concat(children ?? []))
      e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return e;
  }

  async function api(path, opts) {
    const res = await fetch(path, {
      ...(opts || {}),
      headers: {
        Authorization: `Bearer ${state.token}`,
        'Content-Type': 'application/json',
        ...((opts && opts.headers) || {}),
      },
    });
    if (res.status === 401) {
      logout('Your token was not accepted.');
      throw new Error('unauthorized');
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok)
      throw new Error(Array.isArray(body.message) ? body.message.join('; ') : body.message || `HTTP ${res.status}`);
    return body;
  }

  function statusBadge(s) {
    return el('span', { class: `status status-${s}`, 'data-status': s }, s);
  }

  function formParams(form) {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (v) p.set(k, String(v));
    return p;
  }

  function filterObject() {
    const o = {};
    for (const [k, v] of formParams($('#filters')).entries()) o[k] = k === 'status' ? v : v;
    return o;
  }

  // ---- login ----
  async function login(token) {
    state.token = token;
    try {
      state.me = await api('/api/me');
    } catch (e) {
      $('#login-error').textContent = e.message === 'unauthorized' ? 'Token not accepted.' : e.message;
      return;
    }
    sessionStorage.setItem('auditToken', token);
    $('#login-view').hidden = true;
    $('#app-view').hidden = false;
    $('#logout').hidden = false;
    $('#who').textContent = state.me.role === 'admin' ? 'admin' : `tenant ${state.me.tenant}`;
    if (state.me.role === 'tenant')
      for (const i of document.querySelectorAll('input[name=tenant]')) {
        i.value = state.me.tenant;
        i.disabled = true;
      }
    await loadRecords();
    await route().catch(showError);
  }

  function logout(message) {
    sessionStorage.removeItem('auditToken');
    state.token = '';
    state.me = null;
    $('#app-view').hidden = true;
    $('#login-view').hidden = false;
    $('#logout').hidden = true;
    $('#who').textContent = '';
    $('#login-error').textContent = message || '';
  }

  // ---- records ----
  async function loadRecords() {
    const p = formParams($('#filters'));
    p.set('limit', String(state.limit));
    p.set('offset', String(state.offset));
    const page = await api(`/api/records?${p}`);
    state.total = page.total;
    const tbody = $('#records tbody');
    tbody.replaceChildren(
      ...page.items.map((r) =>
        el('tr', { class: 'clickable', 'data-record-id': r.id, onclick: () => openRecord(r.id) }, [
          el('td', {}, r.tenant),
          el('td', {}, r.kind),
          el('td', { class: 'source-id' }, r.sourceId),
          el('td', {}, r.revision ?? ''),
          el('td', {}, statusBadge(r.status)),
          el('td', {}, r.statusReason ?? ''),
          el('td', {}, r.x3DocumentNumber ?? ''),
          el('td', {}, new Date(r.lastSeenAt).toLocaleString()),
          el('td', {}, el('button', { type: 'button', class: 'open' }, 'Timeline')),
        ]),
      ),
    );
    $('#records-count').textContent =
      `${page.total} record(s); showing ${page.total ? page.offset + 1 : 0}–${page.offset + page.items.length}`;
    $('#prev').disabled = state.offset === 0;
    $('#next').disabled = state.offset + state.limit >= state.total;
  }

  async function openRecord(id) {
    const { record, timeline } = await api(`/api/records/${encodeURIComponent(id)}`);
    state.current = record;
    $('#detail').hidden = false;
    $('#detail-title').textContent = `${record.kind} ${record.sourceId} · ${record.tenant}`;
    const facts = [
      ['Status', statusBadge(record.status)],
      ['Reason', record.statusReason ?? ''],
      ['Revision', record.revision ?? ''],
      ['Summary', record.summary ?? ''],
      ['External ref', record.externalRef ?? ''],
      ['X3 document', record.x3DocumentNumber ?? ''],
      ['X3 status', record.x3DocumentStatus ?? ''],
      ['Source amount', record.sourceAmount ?? ''],
      ['Requested', record.requestedAmount ?? ''],
      ['Posted', record.postedAmount ?? ''],
      ['Currency', record.currency ?? ''],
    ];
    $('#detail-facts').replaceChildren(
      ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)]),
    );
    $('#replay-result').textContent = '';
    $('#timeline tbody').replaceChildren(
      ...timeline.map((t) =>
        t.type === 'message'
          ? el('tr', { class: 'tl-message' }, [
              el('td', {}, new Date(t.at).toLocaleString()),
              el('td', {}, t.messageType ?? '(unparsable)'),
              el('td', { class: 'position' }, `${t.topic} [${t.partition}] @${t.offset}`),
              el('td', {}, t.status ? statusBadge(t.status) : ''),
              el('td', {}, [
                t.statusReason ? el('div', {}, t.statusReason) : '',
                t.replayId ? el('div', {}, `replay ${t.replayId}`) : '',
                t.payloadPurged
                  ? el('div', { class: 'muted' }, 'payload past retention')
                  : el('details', {}, [
                      el('summary', {}, 'payload'),
                      el('pre', {}, JSON.stringify(t.payload, null, 2)),
                    ]),
              ]),
            ])
          : el('tr', { class: 'tl-action' }, [
              el('td', {}, new Date(t.at).toLocaleString()),
              el('td', {}, `${t.action} by ${t.actor}`),
              el('td', {}, t.topic ?? ''),
              el('td', {}, t.outcome ?? ''),
              el('td', {}, [t.reason ?? '', t.error ? el('div', { class: 'error' }, t.error) : '']),
            ]),
      ),
    );
    $('#detail').scrollIntoView({ block: 'nearest' });
  }

  async function replayCurrent() {
    if (!state.current) return;
    const reason = $('#replay-reason').value.trim() || 'operator replay from console';
    const r = await api(`/api/records/${encodeURIComponent(state.current.id)}/replay`, {
      method: 'POST',
      body: JSON.stringify({ reason }),
    });
    $('#replay-result').textContent =
      r.outcome === 'published' ? `Replay published to ${r.topic}` : `Not replayed: ${r.error}`;
    // The replayed message comes back through Kafka: watch the record until its status moves on.
    const before = state.current.status;
    for (let i = 0; i < 40; i++) {
      await new Promise((res) => setTimeout(res, 500));
      const { record } = await api(`/api/records/${encodeURIComponent(state.current.id)}`);
      if (record.status !== before) break;
    }
    await openRecord(state.current.id);
    await loadRecords();
  }

  async function bulkReplay() {
    const filter = filterObject();
    const dry = await api('/api/replays', {
      method: 'POST',
      body: JSON.stringify({ filter, reason: 'dry run', dryRun: true }),
    });
    $('#confirm-text').textContent =
      `${dry.matched} failure(s) match this filter${dry.matched > dry.limit ? ` (at most ${dry.limit} per run)` : ''}. Replay them?`;
    $('#confirm-ok').disabled = dry.matched === 0;
    $('#confirm-reason').value = '';
    const dialog = $('#confirm');
    dialog.returnValue = '';
    dialog.showModal();
    dialog.addEventListener('close', async function onClose() {
      dialog.removeEventListener('close', onClose);
      if (dialog.returnValue !== 'ok') return;
      const reason = $('#confirm-reason').value.trim() || 'bulk replay from console';
      const res = await api('/api/replays', {
        method: 'POST',
        body: JSON.stringify({ filter, reason, dryRun: false }),
      });
      $('#records-count').textContent =
        `Replayed ${res.results.filter((x) => x.outcome === 'published').length} of ${res.matched} failure(s).`;
    });
  }

  // ---- failures & reconciliation ----
  async function loadFailures() {
    const p = formParams($('#filters'));
    p.delete('status');
    const rows = await api(`/api/failures/summary?${p}`);
    $('#failures tbody').replaceChildren(
      ...rows.map((r) =>
        el('tr', {}, [el('td', {}, statusBadge(r.status)), el('td', {}, r.reason), el('td', {}, r.count)]),
      ),
    );
  }

  // ---- reconciliation (one tenant, one accounting month) ----
  function reconTenant() {
    const input = $('#recon-form input[name=tenant]');
    return (input.value || '').trim();
  }

  function reconQuery() {
    const p = new URLSearchParams();
    const tenant = reconTenant();
    if (tenant) p.set('tenant', tenant);
    p.set('period', $('#recon-form select[name=period]').value);
    return p;
  }

  async function loadPeriods(keep) {
    const tenant = reconTenant();
    const rows = await api(`/api/reconciliation/periods${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`);
    const tenants = [...new Set(rows.map((r) => r.tenant))];
    $('#recon-tenants').replaceChildren(...tenants.map((t) => el('option', { value: t })));
    const periods = [...new Set(rows.filter((r) => !tenant || r.tenant === tenant).map((r) => r.period))];
    if (keep && !periods.includes(keep)) periods.unshift(keep);
    const select = $('#recon-form select[name=period]');
    select.replaceChildren(...periods.map((p) => el('option', { value: p }, p)));
    if (keep) select.value = keep;
  }

  const amount = (v, cls) => el('td', { class: `num${cls ? ` ${cls}` : ''}` }, v ?? '');
  const diff = (v) => el('td', { class: /^-?0(\.0+)?$/.test(v) ? 'num' : 'num diff', 'data-col': 'difference' }, v);

  async function loadReconciliation() {
    if (!$('#recon-form select[name=period]').value) {
      $('#recon-message').textContent = 'Pick a tenant and a period.';
      return;
    }
    $('#recon-message').textContent = 'Reconciling…';
    const r = await api(`/api/reconciliation?${reconQuery()}`);
    $('#recon-message').textContent = '';
    $('#recon-report').hidden = false;
    $('#recon-csv').disabled = false;
    $('#recon-html').disabled = false;
    const verdict = $('#recon-verdict');
    verdict.textContent = r.balanced ? 'BALANCED' : 'NOT BALANCED';
    verdict.className = `verdict ${r.balanced ? 'balanced' : 'not-balanced'}`;
    const facts = [
      ['Tenant', r.tenant],
      ['Period', `${r.period} (${r.from} – ${r.to})`],
      ['Generated at', new Date(r.generatedAt).toLocaleString()],
      ...r.readBack.map((b) => [
        `X3 read back (${b.documentKind})`,
        b.lastIncremental ? new Date(b.lastIncremental).toLocaleString() : 'never',
      ]),
    ];
    $('#recon-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    $('#recon-reasons').replaceChildren(...r.verdictReasons.map((v) => el('li', {}, v)));
    $('#recon-notes').replaceChildren(...r.notes.map((n) => el('li', {}, n)));
    $('#recon-accounts tbody').replaceChildren(
      ...r.accounts.map((a) =>
        el('tr', { 'data-cost-center': a.costCenter ?? '', 'data-account': a.account }, [
          el('td', {}, a.costCenter ?? '—'),
          el('td', {}, a.account),
          el('td', {}, a.currency),
          amount(a.sourceDebit),
          amount(a.sourceCredit),
          amount(a.source),
          amount(a.posted),
          amount(a.x3Debit),
          amount(a.x3Credit),
          amount(a.x3),
          diff(a.difference),
        ]),
      ),
    );
    $('#recon-account-totals tbody').replaceChildren(
      ...r.accountTotals.map((t) =>
        el('tr', { 'data-account': t.account }, [
          el('td', {}, t.account),
          el('td', {}, t.currency),
          amount(t.source),
          amount(t.posted),
          amount(t.x3),
          diff(t.difference),
        ]),
      ),
    );
    $('#recon-bill-totals').textContent = r.billTotals
      .map(
        (t) => `${t.currency}: ServiceTitan ${t.source}, X3 ${t.x3} · ${t.matched} matched, ${t.unmatched} unmatched`,
      )
      .join(' | ');
    $('#recon-bills tbody').replaceChildren(
      ...r.bills.map((b) =>
        el('tr', { 'data-bill': b.billId ?? '' }, [
          el('td', {}, el('a', { href: b.link }, b.billId ?? '')),
          el('td', {}, b.supplier ?? ''),
          el('td', {}, b.supplierInvoiceNumber ?? ''),
          el('td', {}, b.x3DocumentNumber ?? ''),
          amount(b.source),
          amount(b.x3),
          diff(b.difference),
          el('td', { 'data-col': 'status' }, b.x3Status ?? '—'),
        ]),
      ),
    );
    const labels = [
      ['requested', 'requested'],
      ['posted', 'posted'],
      ['inX3', 'in X3 (read back)'],
      ['failedAttempts', 'failed attempts'],
      ['stillFailed', 'still failed'],
      ['replayed', 'replayed'],
      ['duplicateSkipped', 'duplicate-skipped'],
      ['notPosted', 'not posted yet'],
    ];
    $('#recon-counts tbody').replaceChildren(
      ...labels.map(([k, label]) =>
        el('tr', { 'data-count': k }, [
          el('td', {}, label),
          el('td', { class: 'num' }, r.counts.journalEntries[k]),
          el('td', { class: 'num' }, r.counts.supplierInvoices[k]),
        ]),
      ),
    );
    $('#recon-exceptions tbody').replaceChildren(
      ...(r.exceptions.length
        ? r.exceptions.map((e) =>
            el('tr', { 'data-code': e.code }, [
              el('td', {}, e.code),
              el('td', {}, e.externalRef ?? (e.sourceId ? `${e.sourceKind ?? ''} ${e.sourceId}` : '')),
              el('td', {}, e.x3DocumentNumber ?? ''),
              el('td', {}, e.reason),
              el('td', {}, el('a', { href: e.link, class: 'timeline-link' }, 'Timeline')),
            ]),
          )
        : [el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'No exceptions.'))]),
    );
  }

  async function download(format) {
    const res = await fetch(`/api/reconciliation/report.${format}?${reconQuery()}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (!res.ok) throw new Error(`download failed: HTTP ${res.status}`);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: name ? name[1] : `reconciliation.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  async function openX3Document(tenant, kind, number) {
    const doc = await api(
      `/api/reconciliation/x3-documents/${encodeURIComponent(kind)}/${encodeURIComponent(number)}?tenant=${encodeURIComponent(tenant)}`,
    );
    $('#x3-document').hidden = false;
    $('#x3-document-title').textContent = `X3 ${kind} ${doc.documentNumber} · ${doc.tenant}`;
    const facts = [
      ['In X3', doc.present ? 'yes' : `no (${doc.absence})`],
      ['External ref', doc.externalRef ?? ''],
      ['In the posted ledger', doc.inLedger ? 'yes' : 'no'],
      ['Status', doc.status ?? ''],
      ['Accounting date', doc.accountingDate ?? ''],
      ['Amount', doc.amount ?? ''],
      ['Supplier / invoice no.', [doc.supplier, doc.supplierInvoiceNumber].filter(Boolean).join(' / ')],
      ['Read at', new Date(doc.readAt).toLocaleString()],
    ];
    $('#x3-document-facts').replaceChildren(
      ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)]),
      ...(doc.recordId
        ? [el('dt', {}, 'Record'), el('dd', {}, el('a', { href: `#record/${doc.recordId}` }, 'timeline'))]
        : []),
    );
    $('#x3-document-lines tbody').replaceChildren(
      ...doc.lines.map((l) =>
        el('tr', {}, [
          el('td', {}, l.lineNo),
          el('td', {}, l.account ?? ''),
          el('td', {}, l.costCenter ?? ''),
          el('td', {}, l.side),
          amount(l.amount),
          el('td', {}, l.purchaseOrder ? `${l.purchaseOrder} / ${l.purchaseOrderLine ?? ''}` : ''),
          el('td', {}, l.product ?? ''),
        ]),
      ),
    );
    $('#x3-document-history tbody').replaceChildren(
      ...doc.history.map((h) =>
        el('tr', {}, [
          el('td', {}, new Date(h.at).toLocaleString()),
          el('td', { class: 'position' }, `[${h.partition}] @${h.offset}`),
          el('td', {}, h.present === false ? 'no' : 'yes'),
          el('td', {}, h.status ?? ''),
        ]),
      ),
    );
    $('#x3-document').scrollIntoView({ block: 'nearest' });
  }

  // Deep links (the reconciliation report's exception links): #record/<id>, #reconciliation/<tenant>/<period>,
  // #x3-document/<tenant>/<kind>/<number>.
  async function route() {
    const parts = location.hash.replace(/^#/, '').split('/').map(decodeURIComponent);
    if (parts[0] === 'record' && parts[1]) {
      selectTab('records');
      await openRecord(parts[1]);
    } else if (parts[0] === 'reconciliation' && parts[1] && parts[2]) {
      selectTab('reconciliation');
      const input = $('#recon-form input[name=tenant]');
      if (!input.disabled) input.value = parts[1];
      await loadPeriods(parts[2]);
      await loadReconciliation();
    } else if (parts[0] === 'x3-document' && parts[3]) {
      selectTab('reconciliation');
      await openX3Document(parts[1], parts[2], parts[3]);
    }
  }

  function selectTab(name) {
    for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
    for (const p of document.querySelectorAll('.tab-panel')) p.hidden = p.id !== `tab-${name}`;
    $('#detail').hidden = true;
  }

  function showTab(name) {
    selectTab(name);
    const load = name === 'failures' ? loadFailures : name === 'reconciliation' ? () => loadPeriods() : loadRecords;
    load().catch(showError);
  }

  function showError(e) {
    if (e.message === 'unauthorized') return;
    const target = $('#tab-reconciliation').hidden ? '#records-count' : '#recon-message';
    $(target).textContent = `Error: ${e.message}`;
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      login($('#token').value.trim());
    });
    $('#logout').addEventListener('click', () => logout());
    $('#filters').addEventListener('submit', (e) => {
      e.preventDefault();
      state.offset = 0;
      loadRecords().catch(showError);
    });
    $('#recon-form').addEventListener('submit', (e) => {
      e.preventDefault();
      loadReconciliation().catch(showError);
    });
    $('#recon-form input[name=tenant]').addEventListener('change', () => loadPeriods().catch(showError));
    $('#recon-csv').addEventListener('click', () => download('csv').catch(showError));
    $('#recon-html').addEventListener('click', () => download('html').catch(showError));
    $('#x3-document-close').addEventListener('click', () => {
      $('#x3-document').hidden = true;
    });
    window.addEventListener('hashchange', () => {
      if (state.me) route().catch(showError);
    });
    $('#prev').addEventListener('click', () => {
      state.offset = Math.max(0, state.offset - state.limit);
      loadRecords().catch(showError);
    });
    $('#next').addEventListener('click', () => {
      state.offset += state.limit;
      loadRecords().catch(showError);
    });
    $('#detail-close').addEventListener('click', () => {
      $('#detail').hidden = true;
    });
    $('#replay-one').addEventListener('click', () =>
      replayCurrent().catch((e) => {
        $('#replay-result').textContent = `Error: ${e.message}`;
      }),
    );
    $('#bulk-replay').addEventListener('click', () => bulkReplay().catch(showError));
    for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
    if (state.token) login(state.token);
  });
})();
