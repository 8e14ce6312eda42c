// What every part of the console shares: the signed-in state, the API client, and helpers that
// put server strings on the page as text (textContent), never as markup.
export const state = { me: null, csrf: null, screens: [], events: null };
export const $ = (id) => document.getElementById(id);

// Every state change carries the session's CSRF token. A refusal becomes an Error with the
// server's sentence, its status and the field at fault, if it named one.
export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (state.csrf && method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers, credentials: 'same-origin',
                                       body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    error.field = data.field || null;
    throw error;
  }
  return data;
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

// Options are replaced only when they differ: a live update must not rebuild a list someone is
// choosing from.
export function fillSelect(select, options) {
  const current = [...select.options].map((option) => [option.value, option.textContent]);
  if (current.length === options.length && current.every(([value, label], index) => value === options[index][0] && label === options[index][1])) return;
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => {
    const option = element('option', null, label);
    option.value = value;
    return option;
  }));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

const roleIs = (...roles) => () => Boolean(state.me && roles.includes(state.me.role));
export const canOperate = roleIs('operator', 'admin');
export const canEdit = roleIs('editor', 'admin');

// The views, each a <section>, and the menu entry each belongs under.
const views = { wall: 'wall', screen: 'wall', content: 'content', releases: 'releases', alerts: 'alerts', audit: 'audit' };
const menus = { wall: 'all', content: 'edit', releases: 'all', alerts: 'all', audit: 'all' };

export function show(section) {
  for (const id of ['sign-in', 'change-password', ...Object.keys(views)]) $(id).hidden = id !== section;
  for (const [item, who] of Object.entries(menus)) {
    const link = $(`menu-${item}`);
    link.hidden = who === 'edit' && !canEdit();
    if (views[section] === item) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const signedIn = section !== 'sign-in';
  $('menu').hidden = !signedIn || section === 'change-password';
  $('sign-out').hidden = !signedIn;
  $('who').textContent = state.me ? `${state.me.name} (${state.me.role})` : '';
  const focus = document.querySelector(`#${section} input, #${section} select`);
  if (focus) focus.focus();
}

export function confirmAction(text) {
  return new Promise((resolve) => {
    $('confirm-text').textContent = text;
    $('confirm').addEventListener('close', () => resolve($('confirm').returnValue === 'ok'), { once: true });
    $('confirm').showModal();
    $('confirm-cancel').focus();
  });
}

// A table row that is one message across the table (nothing yet, or why it could not load).
export function messageRow(text, columns, className = 'status') {
  const row = element('tr');
  const cell = element('td', className, text);
  cell.colSpan = columns;
  row.append(cell);
  return row;
}
