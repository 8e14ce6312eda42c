// The Signet console. Every string from the server is put on the page as text (textContent),
// never as markup; every state change carries the session's CSRF token.
'use strict';

const state = { me: null, csrf: null, screens: [], events: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (state.csrf && method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers, credentials: 'same-origin',
                                       body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(section) {
  for (const id of ['sign-in', 'change-password', 'wall']) $(id).hidden = id !== section;
  const signedIn = section !== 'sign-in';
  $('menu').hidden = !signedIn || section === 'change-password';
  $('sign-out').hidden = !signedIn;
  $('who').textContent = state.me ? `${state.me.name} (${state.me.role})` : '';
  const focus = document.querySelector(`#${section} input, #${section} select`);
  if (focus) focus.focus();
}

// MARK: Signing in and out

async function boot() {
  try {
    const session = await api('GET', '/api/v1/session');
    signedIn(session);
  } catch (error) {
    show('sign-in');
  }
}

function signedIn(session) {
  state.me = session.account;
  state.csrf = session.csrf_token || null;
  if (state.me.must_change_password) { show('change-password'); return; }
  openWall();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('sign-in-error').textContent = '';
  const body = { name: $('name').value, password: $('password').value };
  if (!$('totp-row').hidden) body.totp = $('totp').value;
  try {
    const session = await api('POST', '/api/v1/session', body);
    $('password').value = '';
    $('totp').value = '';
    signedIn(session);
  } catch (error) {
    if (/TOTP code is required/.test(error.message)) {
      $('totp-row').hidden = false;
      $('totp').focus();
    }
    $('sign-in-error').textContent = error.message;
  }
});

$('change-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api('POST', '/api/v1/me/password', { current: $('current').value, new: $('new-password').value });
    state.me.must_change_password = false;
    openWall();
  } catch (error) {
    $('change-error').textContent = error.message;
  }
});

$('sign-out').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (error) { /* signed out either way */ }
  if (state.events) state.events.close();
  Object.assign(state, { me: null, csrf: null, screens: [], events: null });
  show('sign-in');
});

// MARK: The wall

const canOperate = () => state.me && ['operator', 'admin'].includes(state.me.role);

function openWall() {
  show('wall');
  $('menu-wall').setAttribute('aria-current', 'page');
  $('operations').hidden = !canOperate();
  if (state.events) state.events.close();
  // Live updates: the server sends the screen list whenever it changes.
  const events = new EventSource('/api/v1/wall/events');
  events.addEventListener('screens', (event) => {
    const data = JSON.parse(event.data);
    state.screens = data.screens;
    $('live').textContent = `live, updated ${new Date(data.at).toLocaleTimeString()}`;
    renderWall();
  });
  events.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; });
  state.events = events;
}

function groupsOf(screens) {
  return [...new Set(screens.flatMap((screen) => screen.groups || []))].sort();
}

function fillSelect(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => {
    const option = element('option', null, label);
    option.value = value;
    return option;
  }));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

function renderWall() {
  const groups = groupsOf(state.screens);
  fillSelect($('group-filter'), [['', 'All screens'], ...groups.map((group) => [group, `Group ${group}`])]);
  fillSelect($('op-target'), [['all', 'All screens'], ...groups.map((group) => [`group:${group}`, `Group ${group}`])]);
  const group = $('group-filter').value;
  const shown = state.screens.filter((screen) => !group || (screen.groups || []).includes(group));
  $('tiles').replaceChildren(...shown.map(tile));
}

function tile(screen) {
  const item = element('li', 'tile');
  item.dataset.screen = screen.id;
  const thumb = element('img', 'thumb');
  thumb.alt = `What ${screen.id} showed at its last screenshot`;
  thumb.src = `/api/v1/screens/${encodeURIComponent(screen.id)}/thumbnail?seen=${encodeURIComponent(screen.last_seen || '')}`;
  thumb.addEventListener('error', () => {
    thumb.replaceWith(element('div', 'thumb none', 'no screenshot yet'));
  }, { once: true });
  const body = element('div', 'body');
  body.append(element('div', 'name', screen.name || screen.id), element('div', 'meta', screen.id));
  const heartbeat = screen.heartbeat || {};
  const badges = element('div', 'badges');
  badges.append(element('span', `badge ${screen.online ? 'online' : 'offline'}`, screen.online ? 'online' : 'offline'));
  if (heartbeat.release) badges.append(element('span', 'badge', `release ${heartbeat.release}`));
  if (heartbeat.mode && heartbeat.mode !== 'programme') {
    badges.append(element('span', `badge ${heartbeat.mode === 'blank' ? 'blank' : 'safe'}`, heartbeat.mode === 'blank' ? 'blanked' : heartbeat.mode));
  }
  if (heartbeat.log_alert) badges.append(element('span', 'badge alert', 'alert: log fork'));
  body.append(badges);
  const seen = screen.last_seen ? `last heartbeat ${new Date(screen.last_seen).toLocaleTimeString()}` : 'never seen';
  body.append(element('div', 'meta', heartbeat.slide ? `${seen}; showing ${heartbeat.slide}` : seen));
  item.append(thumb, body);
  return item;
}

$('group-filter').addEventListener('change', renderWall);

// MARK: Operations

function confirmAction(text) {
  return new Promise((resolve) => {
    $('confirm-text').textContent = text;
    $('confirm').addEventListener('close', () => resolve($('confirm').returnValue === 'ok'), { once: true });
    $('confirm').showModal();
    $('confirm-cancel').focus();
  });
}

$('op-go').addEventListener('click', async () => {
  const action = $('op-action').value, target = $('op-target').value;
  const label = $('op-action').selectedOptions[0].textContent;
  const screens = target === 'all' ? state.screens : state.screens.filter((screen) => (screen.groups || []).includes(target.slice(6)));
  const what = target === 'all' ? 'every screen' : `group ${target.slice(6)}`;
  if (!(await confirmAction(`${label}: ${what} (${screens.length} screens)?`))) return;
  const body = { action };
  if (target === 'all') body.all = true; else body.group = target.slice(6);
  const status = $('op-status');
  try {
    const issued = await api('POST', '/api/v1/commands', body);
    const ids = issued.commands.map((command) => command.id);
    status.textContent = `${label} sent to ${ids.length} screens; acknowledged 0 of ${ids.length}`;
    const started = performance.now();
    while (true) {
      const records = (await api('GET', `/api/v1/commands?ids=${ids.join(',')}`)).commands;
      const done = records.filter((record) => record.result).length;
      const refused = records.filter((record) => record.result && record.result !== 'done').length;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status.textContent = `${label} ${what}: acknowledged ${done} of ${ids.length}` + (refused ? ` (${refused} refused)` : '') + ` after ${seconds} s`;
      if (done === ids.length || performance.now() - started > 60000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    status.textContent = `${label} not sent: ${error.message}`;
  }
});

boot();
