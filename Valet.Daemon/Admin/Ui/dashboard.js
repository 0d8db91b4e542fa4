// Valet dashboard. Everything shown comes from the admin API of this listener, fetched with the
// admin token from this tab's session storage. Nothing is written with innerHTML: every value is
// set as text, so no app name or config can inject markup. The token itself is never shown.
'use strict';

(() => {
  const TOKEN_KEY = 'valet.adminToken';
  const REFRESH_MS = 2000;
  const WINDOW_MS = 5 * 60 * 1000;
  const SMOOTH_MS = 10 * 1000;
  const SVG = 'http://www.w3.org/2000/svg';
  const CHART_W = 120;
  const CHART_H = 30;

  const $ = (id) => document.getElementById(id);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let tokenless = false;
  let timer = 0;
  let generation = 0;
  let metricsMissing = false;
  let lastReloadAnswer = null;
  let reloadError = null;
  const rows = new Map();
  const peerRows = new Map();
  const history = new Map();

  class AuthError extends Error {}

  // ---- small DOM helpers -------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (name === 'text') node.textContent = value;
        else if (name === 'class') node.className = value;
        else node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return node;
  }

  function setText(node, text) {
    text = String(text);
    if (node.textContent !== text) node.textContent = text;
  }

  function setAttr(node, name, value) {
    value = String(value);
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  function show(node, visible) {
    if (node.hidden === visible) node.hidden = !visible;
  }

  // Rebuilds a cell only when what it shows has changed, so a refresh leaves it alone otherwise.
  const shownKeys = new WeakMap();
  function renderKeyed(cell, key, build) {
    if (shownKeys.get(cell) === key) return;
    shownKeys.set(cell, key);
    cell.replaceChildren(...build());
  }

  function fmtRate(value) {
    if (!Number.isFinite(value)) return '–';
    if (value === 0) return '0';
    if (value < 10) return value.toFixed(1);
    return Math.round(value).toString();
  }

  function fmtMs(value) {
    if (value === null || value === undefined) return '–';
    return value < 10 ? value.toFixed(1) + ' ms' : Math.round(value) + ' ms';
  }

  function fmtAge(ms) {
    if (ms === null || ms === undefined) return 'never';
    if (ms < 1000) return Math.round(ms) + ' ms ago';
    if (ms < 120000) return (ms / 1000).toFixed(1) + ' s ago';
    return Math.round(ms / 60000) + ' min ago';
  }

  function fmtTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  // ---- the admin API -------------------------------------------------------------------------

  async function call(path, init) {
    const headers = new Headers();
    if (token) headers.set('Authorization', 'Bearer ' + token);
    const response = await fetch(path, { method: 'GET', ...init, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' });
    if (response.status === 401) throw new AuthError('401');
    return response;
  }

  async function problemDetail(response) {
    try {
      const body = await response.json();
      return body.detail || body.title || response.statusText;
    } catch {
      return response.status + ' ' + response.statusText;
    }
  }

  // Sums valet_requests_total by app: every sample line, whatever other labels it has or their order.
  function parseRequestCounts(text) {
    const counts = new Map();
    const sample = /^valet_requests_total(?:\{(.*)\})?[ \t]+(\S+)/;
    const label = /([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
    for (const line of text.split('\n')) {
      const match = sample.exec(line);
      if (!match) continue;
      const value = Number(match[2]);
      if (!Number.isFinite(value)) continue;
      const labels = {};
      for (const pair of (match[1] || '').matchAll(label)) {
        labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      }
      const app = labels.app || '';
      const entry = counts.get(app) || { total: 0, errors: 0 };
      entry.total += value;
      if (String(labels.status || labels.code || '').startsWith('5')) entry.errors += value;
      counts.set(app, entry);
    }
    return counts;
  }

  // ---- states: login, running, banners -------------------------------------------------------

  function showLogin(message) {
    clearTimeout(timer);
    generation++;
    show($('main'), false);
    show($('reload'), false);
    show($('sign-out'), false);
    show($('login'), true);
    const error = $('login-error');
    if (message) setText(error, message);
    show(error, Boolean(message));
    setBanner(null);
    setNodeState('signed out', 'unknown');
    $('token').focus();
  }

  function start() {
    clearTimeout(timer);
    generation++;
    tick(generation);
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(message);
  }

  function setBanner(kind, text) {
    const banner = $('banner');
    if (!kind) {
      show(banner, false);
      return;
    }
    setAttr(banner, 'data-kind', kind);
    setText(banner, text);
    show(banner, true);
  }

  function setNodeState(text, state) {
    const pill = $('node-state');
    setText(pill, text);
    setAttr(pill, 'data-state', state);
  }

  // ---- one refresh -----------------------------------------------------------------------------

  async function tick(gen) {
    try {
      const [ready, apis, peers, metrics] = await Promise.all([
        call('/ready'),
        call('/apis'),
        call('/peers'),
        metricsMissing ? Promise.resolve(null) : call('/metrics'),
      ]);
      if (gen !== generation) return;

      if (!apis.ok) throw new Error('GET /apis: ' + (await problemDetail(apis)));
      const apisBody = await apis.json();
      const peersBody = peers.ok ? await peers.json() : null;
      let counts = null;
      if (metrics) {
        if (metrics.ok) counts = parseRequestCounts(await metrics.text());
        else if (metrics.status === 404) metricsMissing = true;
      }
      const readyState = ready.ok ? 'ready' : await readyProblem(ready);
      if (gen !== generation) return;

      tokenless = !token;
      show($('login'), false);
      show($('main'), true);
      show($('reload'), true);
      show($('sign-out'), !tokenless);

      if (readyState === 'ready') {
        setBanner(null);
        setNodeState('ready', 'ready');
      } else {
        setNodeState(readyState.state, readyState.state);
        setBanner('warn', readyState.state === 'draining'
          ? 'This node is draining: it is shutting down and GET /ready answers 503, so load balancers stop sending it traffic. In-flight requests are finishing. (' + readyState.detail + ')'
          : 'This node is ' + readyState.state + ': GET /ready answers 503. (' + readyState.detail + ')');
      }

      const now = Date.now();
      record(apisBody.apps, counts, now);
      renderApps(apisBody.apps, now);
      renderPeers(peersBody);
      renderReload(apisBody);
      setText($('updated'), 'updated ' + new Date(now).toLocaleTimeString() + (tokenless ? ' · no admin token set on this node' : ''));
    } catch (error) {
      if (gen !== generation) return;
      if (error instanceof AuthError) {
        if (token) signOut('The admin API refused this token (401 Unauthorized): it is not this node\'s admin token. Check VALET_ADMIN_TOKEN or --admin-token-file and try again.');
        else showLogin(null);
        return;
      }
      setNodeState('unreachable', 'unreachable');
      setBanner('error', 'Cannot reach the admin API (' + error.message + '). Retrying every 2 s; the figures below are from the last answer.');
    }
    if (gen === generation) timer = setTimeout(() => tick(gen), REFRESH_MS);
  }

  async function readyProblem(response) {
    try {
      const body = await response.json();
      return { state: body.state || ('HTTP ' + response.status), detail: body.detail || '' };
    } catch {
      return { state: 'HTTP ' + response.status, detail: response.statusText };
    }
  }

  // ---- request history (kept in this tab only) ---------------------------------------------------

  function record(apps, counts, now) {
    const names = new Set(apps.map((a) => a.name));
    for (const name of history.keys()) if (!names.has(name)) history.delete(name);
    if (!counts) return;
    for (const name of names) {
      const samples = history.get(name) || [];
      const count = counts.get(name) || { total: 0, errors: 0 };
      samples.push({ t: now, total: count.total, errors: count.errors });
      while (samples.length > 2 && samples[1].t < now - WINDOW_MS) samples.shift();
      history.set(name, samples);
    }
  }

  // Requests per second and the share of 5xx answers (%) at each sample, both over the trailing
  // SMOOTH_MS (a 2 s interval alone holds too few requests to read), plus the 5-minute totals.
  function series(name) {
    const samples = history.get(name) || [];
    const rate = [];
    const errors = [];
    let requests = 0;
    let failures = 0;
    // Prefix sums of the per-interval increases; a counter that went down was reset (the daemon
    // restarted), so that interval counts from zero.
    const sums = [{ t: samples.length ? samples[0].t : 0, total: 0, errors: 0 }];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1];
      const b = samples[i];
      const total = b.total >= a.total ? b.total - a.total : b.total;
      const failed = b.errors >= a.errors ? b.errors - a.errors : b.errors;
      requests += total;
      failures += failed;
      sums.push({ t: b.t, total: requests, errors: failures });
    }
    let from = 0;
    for (let i = 1; i < sums.length; i++) {
      while (from < i - 1 && sums[from + 1].t <= sums[i].t - SMOOTH_MS) from++;
      const seconds = (sums[i].t - sums[from].t) / 1000;
      if (seconds <= 0) continue;
      const total = sums[i].total - sums[from].total;
      const failed = sums[i].errors - sums[from].errors;
      rate.push({ t: sums[i].t, v: total / seconds });
      errors.push({ t: sums[i].t, v: total > 0 ? (100 * failed) / total : 0 });
    }
    return { rate, errors, requests, failures };
  }

  // ---- apps ------------------------------------------------------------------------------------

  function createRow(name) {
    const row = el('tr', { 'data-app': name });
    const cells = {};
    const labels = { app: 'App', endpoints: 'Endpoints', auth: 'Auth', limit: 'Rate limit', rate: 'Requests/s', errors: 'Errors (5xx)', load: 'Last load' };
    // Each cell's content sits in one box, so a narrow window can lay out label and value side by side.
    for (const [key, label] of Object.entries(labels)) {
      cells[key] = el('div', { class: 'cell' });
      row.append(el('td', { class: 'col-' + key, 'data-label': label }, cells[key]));
    }

    const toggle = el('button', { type: 'button', class: 'link app-name', 'aria-expanded': 'false', title: 'show the config (secrets redacted)', text: name });
    const description = el('span', { class: 'desc' });
    cells.app.append(toggle, description);

    const entry = { row, cells, toggle, description, detail: null, revision: null, rate: sparkline('rate'), errors: sparkline('errors') };
    cells.rate.append(entry.rate.root);
    cells.errors.append(entry.errors.root);
    toggle.addEventListener('click', () => toggleConfig(name));
    return entry;
  }

  function sparkline(kind) {
    const chart = svg('svg', { viewBox: `0 0 ${CHART_W} ${CHART_H}`, preserveAspectRatio: 'none', role: 'img' });
    const title = svg('title');
    const area = svg('polygon', { class: 'area', points: '' });
    const line = svg('polyline', { class: 'line', points: '' });
    chart.append(title, area, line);
    const value = el('span', { class: 'value', text: '–' });
    const note = el('span', { class: 'note muted small', text: 'collecting…' });
    const root = el('div', { class: 'spark ' + kind, 'data-chart': kind }, value, chart, note);
    return { root, title, area, line, value, note };
  }

  function drawSparkline(chart, points, now, floor) {
    const max = Math.max(floor, ...points.map((p) => p.v));
    const start = now - WINDOW_MS;
    const coords = points.map((p) => {
      const x = Math.max(0, ((p.t - start) / WINDOW_MS) * CHART_W);
      const y = CHART_H - 1 - (p.v / max) * (CHART_H - 3);
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    const line = coords.join(' ');
    setAttr(chart.line, 'points', line);
    if (coords.length > 0) {
      const first = coords[0].split(',')[0];
      const last = coords[coords.length - 1].split(',')[0];
      setAttr(chart.area, 'points', `${first},${CHART_H} ${line} ${last},${CHART_H}`);
    } else {
      setAttr(chart.area, 'points', '');
    }
    return max;
  }

  function renderApps(apps, now) {
    const body = $('apps-body');
    setText($('app-count'), apps.length);
    show($('apps-empty'), apps.length === 0);
    show($('apps'), apps.length > 0);
    const names = new Set(apps.map((a) => a.name));
    for (const [name, entry] of rows) {
      if (names.has(name)) continue;
      entry.row.remove();
      if (entry.detail) entry.detail.remove();
      rows.delete(name);
    }

    let position = body.firstElementChild;
    for (const app of apps) {
      let entry = rows.get(app.name);
      if (!entry) {
        entry = createRow(app.name);
        rows.set(app.name, entry);
      }
      // Keep the server's order (by name), moving nodes only when they are out of place.
      if (position !== entry.row) body.insertBefore(entry.row, position);
      position = entry.row.nextElementSibling;
      if (entry.detail) {
        if (position !== entry.detail) body.insertBefore(entry.detail, position);
        position = entry.detail.nextElementSibling;
      }
      updateRow(entry, app, now);
    }
  }

  function updateRow(entry, app, now) {
    const { cells } = entry;
    setText(entry.description, app.description || '');

    renderKeyed(cells.endpoints, JSON.stringify([app.endpoints, app.mocks, app.aggregate]), () => endpointsView(app));
    renderKeyed(cells.auth, JSON.stringify(app.auth), () => authView(app.auth));
    renderLimit(cells.limit, app.rateLimit);
    renderKeyed(cells.load, JSON.stringify(app.lastLoad), () => loadView(app.lastLoad));

    const { rate, errors, requests, failures } = series(app.name);
    if (rate.length === 0) {
      setText(entry.rate.value, metricsMissing ? 'n/a' : '–');
      setText(entry.rate.note, metricsMissing ? 'no /metrics on this node' : 'collecting…');
      setText(entry.errors.value, metricsMissing ? 'n/a' : '–');
      setText(entry.errors.note, metricsMissing ? 'no /metrics on this node' : 'collecting…');
    } else {
      const last = rate[rate.length - 1].v;
      const peak = drawSparkline(entry.rate, rate, now, 1);
      setText(entry.rate.value, fmtRate(last) + ' /s');
      setText(entry.rate.note, requests + ' in 5 min');
      setText(entry.rate.title, 'requests per second (over 10 s) in the last 5 minutes; scale 0 to ' + fmtRate(peak) + '/s');

      const share = errors[errors.length - 1].v;
      drawSparkline(entry.errors, errors, now, 10);
      setText(entry.errors.value, share.toFixed(1) + ' %');
      setText(entry.errors.note, failures + ' 5xx in 5 min');
      setText(entry.errors.title, 'share of 5xx answers (over 10 s) in the last 5 minutes');
      setAttr(entry.errors.root, 'data-failing', failures > 0 ? 'yes' : 'no');
    }

    if (entry.detail && entry.revision !== app.revision) loadConfig(app.name);
  }

  function endpointsView(app) {
    if (app.aggregate) {
      const parts = app.aggregate.parts || [];
      const apps = [...new Set(parts.map((p) => p.app))];
      return [el('span', { class: 'muted', text: `aggregate of ${apps.join(', ')} (${parts.length} part${parts.length === 1 ? '' : 's'})` })];
    }
    if (!app.endpoints || app.endpoints.length === 0) {
      const count = app.mocks ? app.mocks.count : 0;
      return [el('span', { class: 'muted', text: `mock only (${count} route${count === 1 ? '' : 's'})` })];
    }
    const list = el('ul', { class: 'plain' });
    for (const endpoint of app.endpoints) {
      const health = endpoint.healthy ? 'healthy' : 'unhealthy';
      const title = endpoint.healthy
        ? `healthy · ${endpoint.inFlight} in flight`
        : `cooling down after failures until ${fmtTime(endpoint.unhealthyUntil)}`;
      list.append(el('li', { title, 'data-health': health },
        el('span', { class: 'dot', 'data-health': health }),
        el('span', { class: 'mono', text: endpoint.address }),
        endpoint.healthy ? null : el('span', { class: 'error small', text: ' down' })));
    }
    return [list];
  }

  function authView(auth) {
    if (!auth || auth.type === 'none' || (!auth.type && !auth.required)) return [el('span', { class: 'muted', text: 'none' })];
    const names = { apiKey: 'API key', basic: 'Basic', jwt: 'JWT', oidc: 'OIDC' };
    const nodes = [el('span', { text: names[auth.type] || auth.type || 'API key' })];
    const consumers = auth.consumers || [];
    if (consumers.length > 0) {
      nodes.push(el('span', { class: 'desc', text: `${consumers.length} consumer${consumers.length === 1 ? '' : 's'}: ${consumers.join(', ')}` }));
    }
    if (auth.type === 'apiKey' && auth.header) nodes.push(el('span', { class: 'desc mono', text: auth.header }));
    return nodes;
  }

  function loadView(load) {
    if (!load) return [el('span', { class: 'muted', text: '–' })];
    const nodes = [el('span', { class: 'pill', 'data-state': load.status, text: load.status })];
    if (load.errors && load.errors.length > 0) {
      nodes.push(el('span', { class: 'desc error', text: `${load.errors.length} error${load.errors.length === 1 ? '' : 's'}${load.stillServing ? '; last good config serving' : ''}` }));
    }
    return nodes;
  }

  // The usage bar's elements are made once per mode and then only updated, so the bar moves smoothly.
  function renderLimit(cell, limit) {
    if (!limit || !limit.enabled || limit.limitValue === null || limit.limitValue === undefined) {
      renderKeyed(cell, 'off', () => [el('span', { class: 'muted', text: 'no limit' })]);
      return;
    }
    const usage = limit.usage || {};
    const by = limit.limitBy || 'app';
    const policy = `${limit.limitValue} per ${limit.limitPeriod} s${by === 'app' ? '' : ' per ' + (by === 'ip' ? 'client IP' : by)}`;
    if (by === 'ip') {
      renderKeyed(cell, 'ip:' + policy, () => [el('span', { text: policy }), el('span', { class: 'desc', text: usage.note || 'counted per client address' })]);
      return;
    }
    const meters = by === 'consumer'
      ? (usage.consumers || []).map((c) => ({ id: c.id, used: c.used, limit: c.limitValue }))
      : [{ id: '', used: usage.used, limit: limit.limitValue }];
    renderKeyed(cell, 'bar:' + policy + ':' + meters.map((m) => m.id).join(','), () => {
      const nodes = [el('div', { class: 'policy', text: policy })];
      for (const meter of meters) {
        nodes.push(el('div', { class: 'usage' + (meter.id ? ' consumer' : ''), 'data-consumer': meter.id || null },
          el('div', { class: 'small' }, meter.id ? el('span', { class: 'mono', text: meter.id + ' ' }) : null, el('span', { class: 'used num' })),
          el('div', { class: 'bar', role: 'meter', 'aria-valuemin': '0' }, el('span'))));
      }
      nodes.push(el('div', { class: 'reset muted small' }));
      return nodes;
    });
    const bars = cell.querySelectorAll('.usage');
    meters.forEach((meter, i) => {
      const box = bars[i];
      if (!box) return;
      const used = Number(meter.used) || 0;
      const share = meter.limit > 0 ? Math.min(1, used / meter.limit) : 0;
      setAttr(box, 'data-used', used);
      setAttr(box, 'data-limit', meter.limit);
      setText(box.querySelector('.used'), `${used} / ${meter.limit} used`);
      const bar = box.querySelector('.bar');
      setAttr(bar, 'aria-valuemax', meter.limit);
      setAttr(bar, 'aria-valuenow', used);
      setAttr(bar, 'data-level', share >= 1 ? 'full' : share >= 0.8 ? 'high' : 'ok');
      const fill = bar.firstElementChild;
      const width = (share * 100).toFixed(1) + '%';
      if (fill.style.width !== width) fill.style.width = width;
    });
    setText(cell.querySelector('.reset'), usage.resetSeconds === undefined ? '' : `window resets in ${usage.resetSeconds} s`);
  }

  // ---- per-app config view (GET /apis/{name}: the file as loaded, secrets as "***") -------------

  function toggleConfig(name) {
    const entry = rows.get(name);
    if (!entry) return;
    if (entry.detail) {
      entry.detail.remove();
      entry.detail = null;
      entry.revision = null;
      setAttr(entry.toggle, 'aria-expanded', 'false');
      return;
    }
    const pre = el('pre', { class: 'config', text: 'loading…' });
    const head = el('div', { class: 'config-head' },
      el('strong', { text: 'config of ' + name }),
      el('span', { class: 'muted small config-source' }),
      el('span', { class: 'muted small', text: 'secrets are shown as "***"' }));
    entry.detail = el('tr', { class: 'detail', 'data-config-of': name }, el('td', { colspan: '7' }, head, pre));
    entry.row.after(entry.detail);
    setAttr(entry.toggle, 'aria-expanded', 'true');
    loadConfig(name);
  }

  async function loadConfig(name) {
    const entry = rows.get(name);
    if (!entry || !entry.detail) return;
    const detail = entry.detail;
    const pre = detail.querySelector('pre');
    try {
      const response = await call('/apis/' + encodeURIComponent(name));
      if (!response.ok) {
        setText(pre, 'GET /apis/' + name + ': ' + (await problemDetail(response)));
        return;
      }
      const app = await response.json();
      if (entry.detail !== detail) return;
      entry.revision = app.revision;
      setText(detail.querySelector('.config-source'), `${app.sourceFile} · revision ${app.revision}`);
      setText(pre, app.config ? JSON.stringify(app.config, null, 2) : (app.configNote || 'no config'));
    } catch (error) {
      if (error instanceof AuthError) signOut('The admin API refused this token (401 Unauthorized).');
      else setText(pre, 'cannot load the config: ' + error.message);
    }
  }

  // ---- peers -----------------------------------------------------------------------------------

  function renderPeers(body) {
    if (!body) return;
    setText($('node-id'), 'node ' + body.nodeId);
    const peers = body.peers || [];
    setText($('peer-count'), body.clustered ? peers.length : '');
    show($('peers'), body.clustered && peers.length > 0);
    show($('peers-none'), !body.clustered);
    const tbody = $('peers-body');
    const keys = new Set(peers.map((p) => p.nodeId || p.address));
    for (const [key, row] of peerRows) {
      if (!keys.has(key)) {
        row.remove();
        peerRows.delete(key);
      }
    }
    let position = tbody.firstElementChild;
    for (const peer of peers) {
      const key = peer.nodeId || peer.address;
      let row = peerRows.get(key);
      if (!row) {
        row = el('tr', { 'data-peer': key });
        for (const label of ['Node', 'Address', 'State', 'Last message', 'Lag p50 / p99', 'Msgs/s in / out']) row.append(el('td', { 'data-label': label }));
        row.cells[2].append(el('span', { class: 'pill' }));
        peerRows.set(key, row);
      }
      if (position !== row) tbody.insertBefore(row, position);
      position = row.nextElementSibling;
      const cells = row.cells;
      setText(cells[0], peer.nodeId || '(not known yet)');
      setText(cells[1], peer.address);
      const pill = cells[2].firstElementChild;
      setText(pill, peer.state);
      setAttr(pill, 'data-state', peer.state);
      setText(cells[3], fmtAge(peer.lastMessageAgeMs));
      setText(cells[4], peer.lagSamples > 0 ? `${fmtMs(peer.syncLagP50Ms)} / ${fmtMs(peer.syncLagP99Ms)}` : 'no samples yet');
      setText(cells[5], `${fmtRate(peer.messagesInPerSecond)} / ${fmtRate(peer.messagesOutPerSecond)}`);
    }
  }

  // ---- last reload ---------------------------------------------------------------------------------

  // The newer of: this tab's own POST /reload answer, and the last load GET /apis reports (which
  // also covers SIGHUP, PUT and DELETE).
  function renderReload(apis) {
    const fromApis = apis.lastLoad;
    const own = lastReloadAnswer;
    const useOwn = own && (!fromApis || Date.parse(own.at) >= Date.parse(fromApis.at));
    const view = useOwn ? reloadFromAnswer(own) : fromApis ? reloadFromApis(apis) : null;
    const summary = $('reload-summary');
    if (reloadError) {
      setText(summary, reloadError);
      setAttr(summary, 'data-ok', 'false');
    } else if (!view) {
      setText(summary, 'No load yet.');
      setAttr(summary, 'data-ok', '');
    } else {
      setText(summary, (view.ok ? 'OK: ' : 'Failed: ') + view.summary.replace(/^(ok|failed): /, ''));
      setAttr(summary, 'data-ok', view.ok ? 'true' : 'false');
    }
    setText($('reload-at'), view ? fmtTime(view.at) + (useOwn ? ' · from the Reload button' : '') : '');
    renderKeyed($('reload-apps'), JSON.stringify(view ? view.apps : null), () => (view ? view.apps.map(reloadItem) : []));
  }

  function reloadFromAnswer(answer) {
    const apps = answer.apps.map((a) => ({ name: a.name, file: a.file, status: a.status, stillServing: a.stillServing, errors: a.errors || [] }));
    if (answer.folderErrors) apps.push({ name: '(conf folder)', file: '.', status: 'failed', errors: answer.folderErrors });
    return { ok: answer.ok, at: answer.at, summary: answer.summary, apps };
  }

  function reloadFromApis(apis) {
    const apps = apis.apps.filter((a) => a.lastLoad).map((a) => ({
      name: a.name,
      file: a.sourceFile ? a.sourceFile.split('/').pop() : '',
      status: a.lastLoad.status,
      stillServing: a.lastLoad.stillServing,
      errors: a.lastLoad.errors || [],
    }));
    for (const failed of apis.failedFiles || []) {
      apps.push({ name: failed.file, file: failed.file, status: 'failed', stillServing: false, errors: failed.errors || [] });
    }
    return { ok: apis.lastLoad.ok, at: apis.lastLoad.at, summary: apis.lastLoad.summary, apps };
  }

  function reloadItem(app) {
    const item = el('li', { 'data-app': app.name, 'data-status': app.status },
      el('strong', { text: app.name }),
      el('span', { class: 'muted small', text: app.file && app.file !== app.name ? ' ' + app.file : '' }),
      el('span', { class: 'pill', 'data-state': app.status, text: app.status }));
    if (app.status === 'failed') {
      item.append(el('span', { class: 'muted small', text: app.stillServing ? ' · last good config keeps serving' : ' · not serving' }));
    }
    if (app.errors.length > 0) {
      const list = el('ul', { class: 'errors' });
      for (const e of app.errors) {
        list.append(el('li', { class: 'mono', text: `${e.file}:${e.line}:${e.column} ${e.path} ${e.message}` }));
      }
      item.append(list);
    }
    return item;
  }

  async function reload() {
    const button = $('reload');
    button.disabled = true;
    setText(button, 'Reloading…');
    try {
      const response = await call('/reload', { method: 'POST' });
      if (response.ok) {
        lastReloadAnswer = await response.json();
        reloadError = null;
      } else {
        reloadError = 'Reload failed: ' + (await problemDetail(response));
      }
    } catch (error) {
      if (error instanceof AuthError) {
        signOut('The admin API refused this token (401 Unauthorized).');
        return;
      }
      reloadError = 'Reload failed: ' + error.message;
    } finally {
      button.disabled = false;
      setText(button, 'Reload config');
    }
    start();
  }

  // ---- wiring --------------------------------------------------------------------------------------

  function init() {
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = $('token');
      const value = input.value.trim();
      input.value = '';
      if (!value) return;
      token = value;
      sessionStorage.setItem(TOKEN_KEY, token);
      show($('login-error'), false);
      setNodeState('connecting…', 'connecting');
      start();
    });
    $('reload').addEventListener('click', reload);
    $('sign-out').addEventListener('click', () => signOut(null));
    if (token) start();
    else probe();
  }

  // With no token stored, one request finds out whether this node needs one (401: ask for it).
  async function probe() {
    try {
      await call('/apis');
      start();
    } catch (error) {
      if (error instanceof AuthError) showLogin(null);
      else start();
    }
  }

  // Pure helpers, for the browser tests.
  window.valetDashboard = Object.freeze({ parseRequestCounts });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
