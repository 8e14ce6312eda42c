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

const views = ['wall', 'screen', 'releases', 'audit'];

function show(section) {
  for (const id of ['sign-in', 'change-password', ...views]) $(id).hidden = id !== section;
  // A screen's page belongs under the wall in the menu.
  const current = section === 'screen' ? 'wall' : section;
  for (const item of ['wall', 'releases', 'audit']) {
    if (item === current) $(`menu-${item}`).setAttribute('aria-current', 'page'); else $(`menu-${item}`).removeAttribute('aria-current');
  }
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
  navigate();
}

// The view named in the address (#wall, #releases, #audit), so that back and forward work.
function navigate() {
  const view = location.hash.slice(1);
  if (view.startsWith('screen/')) openScreen(decodeURIComponent(view.slice(7)));
  else if (view === 'releases') openReleases();
  else if (view === 'audit') openAudit();
  else openWall();
}

window.addEventListener('hashchange', () => {
  if (state.me && !state.me.must_change_password) navigate();
});

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
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
    navigate();
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
  $('operations').hidden = !canOperate();
  listenToWall();
}

// The wall's live stream stays open while signed in, whichever view shows.
function listenToWall() {
  if (state.events) return;
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
  // Tiles are kept and updated in place, so that a live update neither moves the keyboard's
  // focus nor replaces what someone is about to click.
  const existing = new Map([...$('tiles').children].map((item) => [item.dataset.screen, item]));
  const items = shown.map((screen) => {
    const item = existing.get(screen.id) || newTile(screen.id);
    updateTile(item, screen);
    return item;
  });
  const current = [...$('tiles').children];
  if (current.length !== items.length || current.some((item, index) => item !== items[index])) $('tiles').replaceChildren(...items);
}

function newTile(id) {
  const item = element('li', 'tile');
  item.dataset.screen = id;
  const thumb = element('img', 'thumb');
  thumb.alt = `What ${id} showed at its last screenshot`;
  thumb.addEventListener('error', () => thumb.replaceWith(element('div', 'thumb none', 'no screenshot yet')), { once: true });
  thumb.src = `/api/v1/screens/${encodeURIComponent(id)}/thumbnail`;
  const link = element('a');
  link.href = `#screen/${encodeURIComponent(id)}`;
  const name = element('div', 'name');
  name.append(link);
  const body = element('div', 'body');
  body.append(name, element('div', 'meta', id), element('div', 'badges'), element('div', 'meta seen'));
  item.append(thumb, body);
  return item;
}

function updateTile(item, screen) {
  item.querySelector('.name a').textContent = screen.name || screen.id;
  const heartbeat = screen.heartbeat || {};
  const badges = [element('span', `badge ${screen.online ? 'online' : 'offline'}`, screen.online ? 'online' : 'offline')];
  if (heartbeat.release) badges.push(element('span', 'badge', `release ${heartbeat.release}`));
  if (heartbeat.mode && heartbeat.mode !== 'programme') {
    badges.push(element('span', `badge ${heartbeat.mode === 'blank' ? 'blank' : 'safe'}`, heartbeat.mode === 'blank' ? 'blanked' : heartbeat.mode));
  }
  if (heartbeat.log_alert) badges.push(element('span', 'badge alert', 'alert: log fork'));
  item.querySelector('.badges').replaceChildren(...badges);
  const seen = screen.last_seen ? `last heartbeat ${new Date(screen.last_seen).toLocaleTimeString()}` : 'never seen';
  item.querySelector('.seen').textContent = heartbeat.slide ? `${seen}; showing ${heartbeat.slide}` : seen;
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

// MARK: A screen

// A colour of its own for each slide, so that a timeline reads at a glance.
function slideColour(slide) {
  let hash = 0;
  for (const character of slide) hash = (hash * 31 + character.codePointAt(0)) % 360;
  return `hsl(${hash}, 60%, 62%)`;
}

// Consecutive showings for the same reason (a schedule entry, the default playlist, quiet
// hours) as one stretch, with the slides it rotates: a rotation of 10-second slides would
// otherwise read as a barcode.
function stretches(showings) {
  const result = [];
  for (const showing of showings) {
    const last = result[result.length - 1];
    if (last && last.source === showing.source && last.end === showing.start) {
      last.end = showing.end;
      if (showing.slide && !last.slides.includes(showing.slide)) last.slides.push(showing.slide);
    } else {
      result.push({ source: showing.source, start: showing.start, end: showing.end, slides: showing.slide ? [showing.slide] : [] });
    }
  }
  return result;
}

function timelineBar(showings, from, to) {
  const bar = element('div', 'timeline');
  const span = to - from;
  for (const stretch of stretches(showings)) {
    const start = Math.max(from, Date.parse(stretch.start)), end = Math.min(to, Date.parse(stretch.end));
    if (end <= start) continue;
    const black = stretch.slides.length === 0;
    const segment = element('div', `segment${black ? ' black' : ''}`, black ? 'black' : stretch.source);
    // CSSOM, not a style attribute: the policy forbids inline styles in markup, not this.
    segment.style.width = `${((end - start) / span) * 100}%`;
    if (!black) segment.style.backgroundColor = slideColour(stretch.source);
    segment.title = `${new Date(start).toLocaleString()} to ${new Date(end).toLocaleString()}: ${stretch.source}, ${stretch.slides.join(', ') || 'black'}`;
    bar.append(segment);
  }
  return bar;
}

async function openScreen(id) {
  show('screen');
  listenToWall();
  const screen = state.screens.find((candidate) => candidate.id === id);
  $('screen-title').textContent = screen ? `${screen.name || id} (${id})` : id;
  const heartbeat = (screen && screen.heartbeat) || {};
  $('screen-state').textContent = screen
    ? `${screen.online ? 'online' : 'offline'}${heartbeat.release ? `, release ${heartbeat.release}` : ''}${heartbeat.mode ? `, ${heartbeat.mode}` : ''}`
      + `${heartbeat.slide ? `, showing ${heartbeat.slide}` : ''}${screen.last_seen ? `; last heartbeat ${time(screen.last_seen)}` : ''}`
    : '';
  $('preview-image').hidden = true;
  $('preview-status').textContent = '';
  const path = `/api/v1/screens/${encodeURIComponent(id)}`;
  try {
    // From now by the server's clock (the browser's may differ), for a week.
    const timeline = await api('GET', `${path}/timeline?days=7`);
    const from = Date.parse(timeline.from), day = 86400000;
    $('day-bar').replaceChildren(timelineBar(timeline.showings, from, from + day));
    $('day-list').replaceChildren(...stretches(timeline.showings).filter((stretch) => Date.parse(stretch.start) < from + day).map((stretch) =>
      element('li', null, `${time(stretch.start)} to ${time(stretch.end)}: ${stretch.slides.join(', ') || 'black'} (${stretch.source})`)));
    $('week-bars').replaceChildren(...[...Array(7).keys()].map((index) => {
      const row = element('div', 'week-row');
      row.append(element('span', 'meta', new Date(from + index * day).toLocaleDateString()), timelineBar(timeline.showings, from + index * day, from + (index + 1) * day));
      return row;
    }));
    $('timeline-source').textContent = `From ${timeline.published ? 'the published' : 'saved'} programme v${timeline.programme_version}; `
      + `times in your browser's time zone (the screen keeps ${timeline.time_zone}).`;
    $('preview-form').dataset.programme = timeline.programme_version;
  } catch (error) {
    $('day-bar').replaceChildren();
    $('day-list').replaceChildren(element('li', null, error.message));
    $('week-bars').replaceChildren();
    $('timeline-source').textContent = '';
  }
  $('preview-form').dataset.screen = id;
  try {
    const plays = (await api('GET', `${path}/plays`)).plays.reverse();
    $('play-rows').replaceChildren(...plays.map((play) => {
      const row = element('tr');
      row.append(element('td', null, time(play.start)), element('td', null, time(play.end)),
                 element('td', null, play.mode === 'black' ? 'black' : `${play.slide || 'nothing'} (${play.mode})`),
                 element('td', null, play.release ? `${play.release}` : ''), element('td', null, `${play.sequence}`));
      return row;
    }));
    const events = (await api('GET', '/api/v1/audit?latest=1000')).events.filter((event) => event.subject === id && event.action !== 'play.batch');
    $('screen-events').replaceChildren(...(events.length ? events.slice(0, 30).map((event) =>
      element('li', event.action.startsWith('alert') ? 'error' : null, `${time(event.at)} ${event.action} by ${event.actor} from ${event.address}`))
      : [element('li', 'status', 'none')]));
  } catch (error) {
    $('play-rows').replaceChildren(element('tr', null, error.message));
  }
}

$('preview-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('preview-form'), image = $('preview-image');
  const url = `/api/v1/screens/${encodeURIComponent(form.dataset.screen)}/preview?at=${encodeURIComponent($('preview-at').value)}`
    + (form.dataset.programme ? `&programme=${form.dataset.programme}` : '');
  $('preview-status').textContent = 'rendering…';
  image.onload = () => { $('preview-status').textContent = `${form.dataset.screen} at ${$('preview-at').value}`; image.hidden = false; };
  image.onerror = () => { $('preview-status').textContent = 'cannot render that moment (see the time format above)'; image.hidden = true; };
  image.alt = `${form.dataset.screen} at ${$('preview-at').value}, as approved`;
  image.src = url;
});

// MARK: Releases

const canPropose = () => state.me && ['editor', 'admin'].includes(state.me.role);

async function openReleases() {
  show('releases');
  listenToWall();
  $('propose').hidden = !canPropose();
  try {
    const proposals = (await api('GET', '/api/v1/releases')).proposals;
    $('proposal-rows').replaceChildren(...proposals.map((proposal) => {
      const row = element('tr', 'selectable');
      row.tabIndex = 0;
      row.dataset.proposal = proposal.id;
      row.append(element('td', null, `${proposal.id}`), element('td', null, proposal.role), element('td', null, `v${proposal.programme_version}`),
                 element('td', null, proposal.state), element('td', null, proposal.created_by), element('td', null, time(proposal.created_at)));
      row.addEventListener('click', () => showProposal(proposal.id));
      row.addEventListener('keydown', (event) => { if (event.key === 'Enter') showProposal(proposal.id); });
      return row;
    }));
    const open = proposals.find((proposal) => proposal.state === 'open') || proposals[0];
    if (open) await showProposal(open.id); else $('proposal').hidden = true;
  } catch (error) {
    $('propose-status').textContent = error.message;
  }
}

async function showProposal(id) {
  const proposal = await api('GET', `/api/v1/releases/${encodeURIComponent(id)}`);
  $('proposal').hidden = false;
  $('proposal').dataset.proposal = proposal.id;
  $('proposal-title').textContent = `Proposal ${proposal.id}: ${proposal.role} v${proposal.targets_version} `
    + `(programme v${proposal.programme_version}), ${proposal.state}`;
  const signed = proposal.signatures.length, needed = Math.max(0, proposal.threshold - signed);
  $('proposal-approvals').textContent = `${signed} of ${proposal.threshold} approver signatures`
    + (proposal.state === 'open' ? (needed ? `; ${needed} still needed` : '') : '');
  $('proposal-signers').replaceChildren(...proposal.signatures.map((signature) =>
    element('li', null, `${signature.account} signed with key ${signature.keyid.slice(0, 16)} at ${time(signature.at)}`)));
  $('approve-command').textContent = `signet approve ${proposal.id} --server ${location.origin} --key approver.key --token $SIGNET_TOKEN --root 1.root.json`;
  const diff = proposal.diff;
  $('proposal-files').replaceChildren(...['added', 'changed', 'removed'].flatMap((kind) =>
    diff[kind].map((path) => element('li', null, `${kind}: ${path}`))));
  $('proposal-sections').replaceChildren(...Object.entries(proposal.programme_changes || {}).map(([section, change]) => {
    const parts = ['added', 'changed', 'removed'].filter((kind) => change[kind].length).map((kind) => `${kind} ${change[kind].join(', ')}`);
    return element('li', null, `${section}: ${parts.join('; ')}`);
  }));
  const screens = proposal.screens.changes;
  $('proposal-screens').replaceChildren(...(screens.length ? screens.map(screenChange) : [element('p', 'status', 'No screen shows anything different.')]));
}

function screenChange(change) {
  const block = element('div', 'screen-change');
  block.append(element('h4', null, `${change.screen}: ${change.kind}`));
  const spans = element('ul');
  for (const span of change.spans.slice(0, 5)) {
    spans.append(element('li', null, `${span.start_local || span.start} to ${span.end_local || span.end}: `
      + `${span.after.join(', ') || 'nothing'} instead of ${span.before.join(', ') || 'nothing'}`));
  }
  if (change.spans.length > 5) spans.append(element('li', 'status', `and ${change.spans.length - 5} more`));
  const previews = element('div', 'previews');
  for (const [side, url] of [['before', change.preview_before], ['after', change.preview_after]]) {
    if (!url) continue;
    const figure = element('figure');
    const image = element('img');
    image.src = url;
    image.alt = `${change.screen} ${side} the release`;
    figure.append(image, element('figcaption', null, side));
    previews.append(figure);
  }
  block.append(spans, previews);
  return block;
}

$('copy-approve').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('approve-command').textContent);
    $('copy-approve').textContent = 'Copied';
  } catch (error) {
    // No clipboard (an insecure origin): select the text for the user to copy.
    window.getSelection().selectAllChildren($('approve-command'));
  }
});

$('propose').addEventListener('click', async () => {
  try {
    const proposal = await api('POST', '/api/v1/releases', {});
    $('propose-status').textContent = `proposal ${proposal.id} made: approvers can now check and sign it`;
    await openReleases();
  } catch (error) {
    $('propose-status').textContent = `not proposed: ${error.message}`;
  }
});

// MARK: Audit and forensics

async function openAudit() {
  show('audit');
  listenToWall();
  fillSelect($('forensics-screen'), state.screens.map((screen) => [screen.id, screen.id]));
  updateForensicsCommand();
  try {
    const events = (await api('GET', '/api/v1/audit?latest=200')).events;
    $('audit-rows').replaceChildren(...events.map((event) => {
      const row = element('tr');
      row.append(element('td', null, time(event.at)), element('td', null, event.actor), element('td', null, event.action),
                 element('td', null, event.subject), element('td', null, event.address),
                 element('td', null, event.log_index === null ? '' : `${event.log_index}`));
      return row;
    }));
  } catch (error) {
    $('audit-rows').replaceChildren(element('tr', null, error.message));
  }
}

function updateForensicsCommand() {
  $('forensics-command').textContent = `signet forensics --server ${location.origin} --token $SIGNET_TOKEN `
    + `--screen ${$('forensics-screen').value || 'SCREEN'} --at ${$('forensics-at').value || 'TIME'} --root 1.root.json`;
}

$('forensics-screen').addEventListener('change', updateForensicsCommand);
$('forensics-at').addEventListener('input', updateForensicsCommand);

$('forensics-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const screen = $('forensics-screen').value, at = $('forensics-at').value;
  $('forensics-report').textContent = 'examining…';
  try {
    const answer = await api('GET', `/api/v1/screens/${encodeURIComponent(screen)}/forensics?at=${encodeURIComponent(at)}`);
    $('forensics-report').textContent = answer.lines.join('\n');
  } catch (error) {
    $('forensics-report').textContent = error.message;
  }
});

boot();
