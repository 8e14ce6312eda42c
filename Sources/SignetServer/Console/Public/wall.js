// The wall: every screen as a tile, live over server-sent events; and operations on screens.
import { $, api, canOperate, confirmAction, element, fillSelect, show, state } from './core.js';

export function openWall() {
  show('wall');
  $('operations').hidden = !canOperate();
  listenToWall();
}

// The live stream stays open while signed in, whichever view shows: the server sends the screen
// list whenever it changes.
export function listenToWall() {
  if (state.events) return;
  const events = new EventSource('/api/v1/wall/events');
  events.addEventListener('screens', (event) => {
    const data = JSON.parse(event.data);
    state.screens = data.screens;
    $('live').textContent = `live, updated ${new Date(data.at).toLocaleTimeString()}`;
    renderWall();
    // Other views that follow the list (alerts) listen for this.
    document.dispatchEvent(new CustomEvent('screens'));
  });
  events.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; });
  state.events = events;
}

export function stopListening() {
  if (state.events) state.events.close();
  state.events = null;
}

function groupsOf(screens) {
  return [...new Set(screens.flatMap((screen) => screen.groups || []))].sort();
}

function renderWall() {
  const groups = groupsOf(state.screens);
  fillSelect($('group-filter'), [['', 'All screens'], ...groups.map((group) => [group, `Group ${group}`])]);
  fillSelect($('op-target'), [['all', 'All screens'], ...groups.map((group) => [`group:${group}`, `Group ${group}`]),
                              ...state.screens.map((screen) => [`screen:${screen.id}`, `Screen ${screen.id}`])]);
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
  const link = element('a');
  link.href = `#screen/${encodeURIComponent(id)}`;
  const name = element('div', 'name');
  name.append(link);
  const body = element('div', 'body');
  body.append(name, element('div', 'meta', id), element('div', 'badges'), element('div', 'meta seen'));
  item.append(element('div', 'thumb none', 'no screenshot yet'), body);
  return item;
}

// The tile's picture is the screen's last screenshot, fetched again when a newer one arrives.
function updateThumbnail(item, screen) {
  const version = screen.thumbnail_at || 'first';
  if (item.dataset.thumbnail === version) return;
  item.dataset.thumbnail = version;
  const image = element('img', 'thumb');
  image.alt = `What ${screen.id} showed at its last screenshot`;
  image.addEventListener('load', () => item.querySelector('.thumb').replaceWith(image), { once: true });
  image.src = `/api/v1/screens/${encodeURIComponent(screen.id)}/thumbnail?at=${encodeURIComponent(version)}`;
}

function updateTile(item, screen) {
  item.querySelector('.name a').textContent = screen.name || screen.id;
  updateThumbnail(item, screen);
  const heartbeat = screen.heartbeat || {};
  const badges = [element('span', `badge ${screen.online ? 'online' : 'offline'}`, screen.online ? 'online' : 'offline')];
  if (heartbeat.release) badges.push(element('span', 'badge', `release ${heartbeat.release}`));
  if (heartbeat.mode && heartbeat.mode !== 'programme') {
    badges.push(element('span', `badge ${heartbeat.mode === 'blank' ? 'blank' : 'safe'}`, heartbeat.mode === 'blank' ? 'blanked' : heartbeat.mode));
  }
  if (heartbeat.lockdown) badges.push(element('span', 'badge safe', 'locked down'));
  if (heartbeat.log_alert) badges.push(element('span', 'badge alert', 'alert: log fork'));
  if (heartbeat.containment) badges.push(element('span', 'badge alert', `contained: ${heartbeat.containment}`));
  if (heartbeat.capture === 'mismatch') badges.push(element('span', 'badge alert', 'capture mismatch'));
  if (heartbeat.capture === 'missing') badges.push(element('span', 'badge safe', 'no capture'));
  item.querySelector('.badges').replaceChildren(...badges);
  const seen = screen.last_seen ? `last heartbeat ${new Date(screen.last_seen).toLocaleTimeString()}` : 'never seen';
  item.querySelector('.seen').textContent = heartbeat.slide ? `${seen}; showing ${heartbeat.slide}` : seen;
}

$('group-filter').addEventListener('change', renderWall);

// MARK: Operations

const consequences = {
  blank: 'The screens go black until restored.',
  safe: 'The screens show their safe slide until restored.',
  restore: 'The screens return to their approved programme.',
  lockdown: 'The screens keep their approved programme and take no new release until unlocked.',
  unlock: 'The screens take new releases again.',
  screenshot: 'The screens send a picture of what they show; their tiles update.',
};

// The operation whose acknowledgements the status line counts; an older one stops counting.
let latestOperation = 0;

$('op-go').addEventListener('click', async () => {
  const action = $('op-action').value, target = $('op-target').value;
  const label = $('op-action').selectedOptions[0].textContent;
  const [kind, name] = target === 'all' ? ['all', ''] : [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
  const screens = kind === 'all' ? state.screens
    : kind === 'group' ? state.screens.filter((screen) => (screen.groups || []).includes(name)) : state.screens.filter((screen) => screen.id === name);
  const what = kind === 'all' ? 'every screen' : `${kind} ${name}`;
  if (!(await confirmAction(`${label}: ${what} (${screens.length} screens)? ${consequences[action]}`))) return;
  const body = { action };
  if (kind === 'all') body.all = true; else if (kind === 'group') body.group = name; else body.screens = [name];
  const status = $('op-status');
  const operation = ++latestOperation;
  // A screen that is offline acknowledges when it is back, if before the command expires.
  const offline = screens.filter((screen) => !screen.online).length;
  try {
    const issued = await api('POST', '/api/v1/commands', body);
    const ids = issued.commands.map((command) => command.id);
    status.textContent = `${label} sent to ${ids.length} screens; acknowledged 0 of ${ids.length}`;
    const started = performance.now();
    while (operation === latestOperation) {
      const records = (await api('GET', `/api/v1/commands?ids=${ids.join(',')}`)).commands;
      if (operation !== latestOperation) break;
      const done = records.filter((record) => record.result).length;
      const refused = records.filter((record) => record.result && record.result !== 'done').length;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status.textContent = `${label} ${what}: acknowledged ${done} of ${ids.length}` + (refused ? ` (${refused} refused)` : '')
        + (offline && done < ids.length ? ` (${offline} offline)` : '') + ` after ${seconds} s`;
      if (done === ids.length || performance.now() - started > 60000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    status.textContent = `${label} not sent: ${error.message}`;
  }
});
