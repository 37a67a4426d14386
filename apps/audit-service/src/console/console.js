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

  async function loadReconciliation() {
    const r = await api(`/api/reconciliation?${formParams($('#recon-filters'))}`);
    $('#recon-totals tbody').replaceChildren(
      ...r.totals.map((t) =>
        el(
          'tr',
          {},
          [
            t.tenant,
            t.period,
            t.sourceJobs,
            t.sourceJobTotal,
            t.sourceBills,
            t.sourceBillTotal,
            t.requestedJournalTotal,
            t.postedJournalTotal,
            t.requestedInvoiceTotal,
            t.postedInvoiceTotal,
            t.unpostedDocuments,
          ].map((v) => el('td', {}, v)),
        ),
      ),
    );
    $('#recon-cc tbody').replaceChildren(
      ...r.costCenters.map((c) =>
        el(
          'tr',
          {},
          [c.tenant, c.period, c.costCenter, c.requested, c.posted, c.difference, c.documents].map((v) =>
            el('td', {}, v),
          ),
        ),
      ),
    );
    $('#recon-bills tbody').replaceChildren(
      ...r.unmatchedBills.map((b) =>
        el(
          'tr',
          {},
          [
            b.tenant,
            b.externalRef,
            b.sourceId ?? '',
            b.status ?? '',
            b.x3DocumentNumber ?? '',
            b.x3Status ?? '',
            b.amount ?? '',
            b.reason,
          ].map((v) => el('td', {}, v)),
        ),
      ),
    );
  }

  function showTab(name) {
    for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
    for (const p of document.querySelectorAll('.tab-panel')) p.hidden = p.id !== `tab-${name}`;
    $('#detail').hidden = true;
    const load = name === 'failures' ? loadFailures : name === 'reconciliation' ? loadReconciliation : loadRecords;
    load().catch(showError);
  }

  function showError(e) {
    if (e.message !== 'unauthorized') $('#records-count').textContent = `Error: ${e.message}`;
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
    $('#recon-filters').addEventListener('submit', (e) => {
      e.preventDefault();
      loadReconciliation().catch(showError);
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
