// Content: the asset library, a slide editor with the server's rendered preview, playlists and
// schedule entries, all edits to one draft of the programme that is saved as its next version.
// Every input names the field of the programme it edits (data-field), so that whatever the
// server refuses or warns about is shown beside the input that caused it.
import { $, api, element, fillSelect, show, state } from './core.js';

const draft = { version: null, document: null, slide: null, previewTimer: null };

const emptyProgramme = () => ({ format: 1, policies: {}, screens: {}, assets: {}, slides: {}, playlists: {}, schedule: [] });

export async function openContent() {
  show('content');
  clearMarks();
  $('draft-status').textContent = 'loading the latest programme…';
  try {
    const latest = await api('GET', '/api/v1/programme');
    draft.version = latest.version;
    draft.document = latest.document;
    // Editors build on the latest saved version, which need not be what screens show.
    const published = (await api('GET', '/api/v1/releases')).proposals.find((proposal) => proposal.state === 'published' && proposal.role === 'targets');
    const live = published ? published.programme_version : null;
    $('draft-status').textContent = `editing programme v${latest.version} (saved by ${latest.updated_by}; `
      + (live === latest.version ? 'the published one)' : live ? `screens show v${live}, the last published)` : 'nothing published yet)');
    draft.published = live;
    $('draft-published').hidden = !live || live === latest.version;
    $('draft-published').textContent = `Start from the published v${live}`;
  } catch (error) {
    if (error.status !== 404) { $('draft-status').textContent = error.message; return; }
    draft.version = 0;
    draft.document = emptyProgramme();
    $('draft-status').textContent = 'no programme saved yet: this will be the first';
  }
  draft.slide = Object.keys(draft.document.slides)[0] || null;
  await loadAssets();
  renderSlideEditor();
  renderPlaylists();
  renderSchedule();
}

// A draft that went astray (or a proposal nobody should approve) is left behind by starting
// again from what the screens show; it saves as the next version.
$('draft-published').addEventListener('click', async () => {
  try {
    draft.document = await api('GET', `/api/v1/programmes/${draft.published}`);
    draft.slide = Object.keys(draft.document.slides)[0] || null;
    $('draft-published').hidden = true;
    $('draft-status').textContent = `editing the published programme v${draft.published}: unsaved; it saves as the version after v${draft.version}`;
    clearMarks();
    renderSlideEditor();
    renderPlaylists();
    renderSchedule();
  } catch (error) {
    $('draft-error').textContent = error.message;
  }
});

// MARK: Fields and the faults the server names

// An input bound to one field of the draft: `read` turns its value into the JSON value (or
// undefined to leave the field out), `write` the other way.
function boundInput(label, field, value, onChange, options = {}) {
  const id = `f-${field.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const wrapper = element('div', 'field');
  const caption = element('label', null, label);
  caption.htmlFor = id;
  let input;
  if (options.choices) {
    input = element('select');
    fillSelect(input, options.choices.map((choice) => (Array.isArray(choice) ? choice : [choice, choice])));
  } else if (options.multiline) {
    input = element('textarea');
    input.rows = 2;
  } else {
    input = element('input');
    input.type = options.type || 'text';
    if (options.placeholder) input.placeholder = options.placeholder;
  }
  input.id = id;
  input.dataset.field = field;
  if (input.type === 'checkbox') input.checked = Boolean(value); else input.value = value === undefined || value === null ? '' : value;
  input.addEventListener('change', () => onChange(input.type === 'checkbox' ? input.checked : input.value));
  wrapper.append(caption, input);
  return wrapper;
}

const integer = (text) => (text.trim() === '' ? undefined : Number.parseInt(text, 10));
const list = (text) => text.split(',').map((part) => part.trim()).filter((part) => part !== '');

function clearMarks() {
  for (const node of document.querySelectorAll('#content [aria-invalid="true"]')) {
    node.removeAttribute('aria-invalid');
    node.removeAttribute('aria-describedby');
  }
  for (const node of document.querySelectorAll('#content .field-note')) node.remove();
  $('draft-error').textContent = '';
}

// The input for `path`, or for the nearest field that contains it (a day part's `to` is shown
// on the entry's day parts).
function inputFor(path) {
  const inputs = [...document.querySelectorAll('#content [data-field]')];
  for (let candidate = path; candidate; candidate = candidate.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const found = inputs.find((input) => input.dataset.field === candidate);
    if (found) return found;
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(candidate)) break;
  }
  return null;
}

// Shows `message` beside the input of `path`; returns whether one was found.
function mark(path, message, kind = 'error') {
  const input = path && inputFor(path);
  if (!input) return false;
  const note = element('p', `field-note ${kind}`, message);
  note.id = `note-${Math.random().toString(36).slice(2)}`;
  if (kind === 'error') input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', note.id);
  (input.closest('.field') || input).append(note);
  return true;
}

// A slide's fault may be on a slide the editor is not showing: it switches to that slide first.
function showFault(path, message) {
  const slide = path && /^programme\.slides\.([^.[]+)/.exec(path);
  if (slide && slide[1] !== draft.slide && draft.document.slides[slide[1]]) {
    draft.slide = slide[1];
    renderSlideEditor(false);
  }
  // Beside its field the sentence needs no path; the server's message starts with it.
  const rule = path && message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
  if (!mark(path, rule)) $('draft-error').textContent = path && rule === message ? `${path}: ${message}` : message;
}

// MARK: Assets

async function loadAssets() {
  try {
    const assets = (await api('GET', '/api/v1/assets')).assets;
    draft.assets = assets;
    $('asset-list').replaceChildren(...assets.map(assetItem));
    if (!assets.length) $('asset-list').append(element('li', 'status', 'No assets yet.'));
  } catch (error) {
    $('asset-status').textContent = error.message;
  }
}

function assetItem(asset) {
  const item = element('li', 'asset');
  const image = element('img');
  image.src = `/api/v1/assets/${asset.sha256}`;
  image.alt = `Asset ${asset.name}`;
  const use = element('button', null, 'Place on this slide');
  use.type = 'button';
  use.addEventListener('click', () => addElement('image', asset));
  item.append(image, element('div', 'name', asset.name), element('div', 'meta', `${asset.width}×${asset.height} ${asset.type}, `
    + `${Math.round(asset.bytes / 1024)} KiB, by ${asset.uploaded_by}`), use);
  return item;
}

// Uploads with XMLHttpRequest, which reports upload progress (fetch does not).
$('asset-file').addEventListener('change', () => {
  const file = $('asset-file').files[0];
  if (!file) return;
  const progress = $('asset-progress'), status = $('asset-status');
  const request = new XMLHttpRequest();
  request.open('POST', `/api/v1/assets?name=${encodeURIComponent(file.name)}`);
  request.setRequestHeader('X-CSRF-Token', state.csrf);
  request.upload.addEventListener('progress', (event) => {
    if (!event.lengthComputable) return;
    progress.value = Math.round((event.loaded / event.total) * 100);
    status.textContent = `uploading ${file.name}: ${progress.value} % of ${Math.round(event.total / 1024)} KiB`;
  });
  request.addEventListener('load', async () => {
    progress.hidden = true;
    let answer = {};
    try { answer = JSON.parse(request.responseText); } catch (error) { /* not JSON: the status says enough */ }
    if (request.status === 201 || request.status === 200) {
      status.textContent = `${answer.name} stored (${answer.width}×${answer.height}, sha256 ${answer.sha256.slice(0, 12)}…)`
        + (request.status === 200 ? ': these bytes were uploaded before' : '');
      $('asset-file').value = '';
      await loadAssets();
    } else {
      status.textContent = `not stored: ${answer.error || `HTTP ${request.status}`}`;
    }
  });
  request.addEventListener('error', () => { progress.hidden = true; status.textContent = 'the upload failed (network)'; });
  progress.value = 0;
  progress.hidden = false;
  status.textContent = `uploading ${file.name}…`;
  request.send(file);
});

// MARK: The slide editor

const elementFields = {
  image: [['asset', 'Asset'], ['fit', 'Fit', { choices: ['fit', 'fill', 'stretch', 'none'] }]],
  text: [['text', 'Text', { multiline: true }], ['size', 'Text size (px)', { type: 'number' }], ['colour', 'Colour', { placeholder: '#RRGGBB' }],
         ['align', 'Alignment', { choices: ['left', 'center', 'right'] }]],
  stripes: [['direction', 'Direction', { choices: ['horizontal', 'vertical'] }], ['colours', 'Colours (comma-separated)', { placeholder: '#FFFFFF, #0039A6, #D52B1E' }]],
  rectangle: [['colour', 'Colour', { placeholder: '#RRGGBB' }]],
};

function slideSize() {
  const screen = draft.document.screens[$('slide-screen').value];
  return screen ? { width: screen.width, height: screen.height } : { width: 960, height: 480 };
}

function renderSlideEditor(preview = true) {
  const document_ = draft.document;
  fillSelect($('slide-pick'), Object.keys(document_.slides).map((id) => [id, id]));
  if (draft.slide) $('slide-pick').value = draft.slide;
  fillSelect($('slide-screen'), Object.keys(document_.screens).map((id) => [id, `${id} (${document_.screens[id].width}×${document_.screens[id].height})`]));
  const slide = draft.slide && document_.slides[draft.slide];
  $('slide-fields').hidden = !slide;
  if (!slide) { $('element-list').replaceChildren(); return; }
  const base = `programme.slides.${draft.slide}`;
  $('slide-background-field').replaceChildren(boundInput('Background', `${base}.background`, slide.background || '#000000', (value) => {
    slide.background = value;
    slideChanged();
  }, { placeholder: '#RRGGBB' }));
  $('element-list').replaceChildren(...slide.elements.map((item, index) => elementEditor(slide, item, index, `${base}.elements[${index}]`)));
  if (preview) previewSoon(0);
}

function elementEditor(slide, item, index, path) {
  const box = element('li', 'element');
  const fieldset = element('fieldset');
  fieldset.dataset.field = path;
  fieldset.append(element('legend', null, `${index + 1}. ${item.type}`));
  const set = (key, value) => {
    if (value === undefined || value === '' || Number.isNaN(value)) delete item[key]; else item[key] = value;
    slideChanged();
  };
  const grid = element('div', 'field-grid');
  for (const key of ['x', 'y', 'width', 'height']) {
    grid.append(boundInput(key, `${path}.${key}`, item[key], (value) => set(key, integer(value)), { type: 'number' }));
  }
  for (const [key, label, options = {}] of elementFields[item.type] || []) {
    if (key === 'asset') {
      const choices = (draft.assets || []).map((asset) => [asset.sha256, asset.name]);
      grid.append(boundInput(label, `${path}.asset`, item.asset, (value) => { set('asset', value); useAsset(value); }, { choices }));
    } else if (key === 'colours') {
      grid.append(boundInput(label, `${path}.colours`, (item.colours || []).join(', '), (value) => set('colours', list(value)), options));
    } else if (key === 'size') {
      grid.append(boundInput(label, `${path}.size`, item.size, (value) => set('size', integer(value)), options));
    } else {
      grid.append(boundInput(label, `${path}.${key}`, item[key], (value) => set(key, value), options));
    }
  }
  const tools = element('div', 'tools');
  for (const [label, action] of [['Up', -1], ['Down', 1], ['Remove', 0]]) {
    const button = element('button', action === 0 ? 'danger' : null, label);
    button.type = 'button';
    button.setAttribute('aria-label', `${label} element ${index + 1} (${item.type})`);
    button.addEventListener('click', () => {
      const elements = slide.elements;
      if (action === 0) elements.splice(index, 1);
      else if (elements[index + action]) [elements[index], elements[index + action]] = [elements[index + action], elements[index]];
      renderSlideEditor();
    });
    tools.append(button);
  }
  fieldset.append(grid, tools);
  box.append(fieldset);
  return box;
}

// A programme lists the assets its slides use; the server completes their type and size.
function useAsset(sha256) {
  if (!draft.document.assets[sha256]) draft.document.assets[sha256] = {};
}

function addElement(type, asset) {
  const slide = draft.slide && draft.document.slides[draft.slide];
  if (!slide) { $('slide-status').textContent = 'choose or add a slide first'; return; }
  const { width, height } = { width: slide.width || slideSize().width, height: slide.height || slideSize().height };
  const box = { x: Math.round(width / 8), y: Math.round(height / 8), width: Math.round((width * 3) / 4), height: Math.round((height * 3) / 4) };
  const defaults = {
    image: { asset: asset ? asset.sha256 : (draft.assets && draft.assets[0] ? draft.assets[0].sha256 : ''), fit: 'fit' },
    text: { text: 'Text', size: Math.max(8, Math.round(height / 8)), colour: '#FFFFFF', align: 'center' },
    stripes: { direction: 'horizontal', colours: ['#FFFFFF', '#0039A6', '#D52B1E'] },
    rectangle: { colour: '#00AFCA' },
  };
  slide.elements.push({ type, ...box, ...defaults[type] });
  if (type === 'image' && slide.elements[slide.elements.length - 1].asset) useAsset(slide.elements[slide.elements.length - 1].asset);
  renderSlideEditor();
  const fields = $('element-list').lastElementChild.querySelector('input, select, textarea');
  if (fields) fields.focus();
}

for (const button of document.querySelectorAll('[data-add]')) {
  button.addEventListener('click', () => addElement(button.dataset.add));
}

$('slide-pick').addEventListener('change', () => { draft.slide = $('slide-pick').value; clearMarks(); renderSlideEditor(); });
$('slide-screen').addEventListener('change', () => previewSoon(0));

$('slide-add-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('slide-new').value.trim();
  if (!id) return;
  if (draft.document.slides[id]) { $('slide-status').textContent = `a slide named ${id} exists`; return; }
  draft.document.slides[id] = { ...slideSize(), background: '#000000', elements: [] };
  draft.slide = id;
  $('slide-new').value = '';
  renderSlideEditor();
  renderPlaylists();
});

function slideChanged() {
  changed();
  $('slide-status').textContent = 'changed; rendering…';
  previewSoon(400);
}

// The preview is the server's renderer, so it is what a player would show; it is asked for a
// moment after the last change, not at every key.
function previewSoon(delay) {
  clearTimeout(draft.previewTimer);
  draft.previewTimer = setTimeout(preview, delay);
}

async function preview() {
  const screen = $('slide-screen').value;
  if (!draft.slide || !screen) return;
  $('slide-status').textContent = 'rendering…';
  try {
    const drawn = await api('POST', '/api/v1/programme/preview', { document: draft.document, slide: draft.slide, screen });
    $('slide-preview').src = drawn.image;
    $('slide-preview').alt = `Slide ${drawn.slide} as ${drawn.screen} would show it`;
    $('slide-preview').hidden = false;
    clearMarks();
    for (const warning of drawn.warnings) if (!mark(warning.field, warning.message, 'warning')) $('draft-error').textContent = warning.message;
    for (const problem of drawn.problems) showFault(problem.field, problem.message);
    const notes = drawn.warnings.length + drawn.problems.length;
    $('slide-status').textContent = `${drawn.slide} on ${drawn.screen} (${drawn.width}×${drawn.height})`
      + (notes ? `: ${drawn.problems.length} problem(s), ${drawn.warnings.length} warning(s), shown beside their fields` : '');
  } catch (error) {
    $('slide-status').textContent = 'not rendered: see the field marked below';
    showFault(error.field, error.message);
  }
}

// MARK: Playlists

function renderPlaylists() {
  const slides = Object.keys(draft.document.slides);
  $('playlist-list').replaceChildren(...Object.entries(draft.document.playlists).map(([id, playlist]) => {
    const path = `programme.playlists.${id}`;
    const box = element('fieldset', 'playlist');
    box.dataset.field = path;
    box.append(element('legend', null, `Playlist ${id}`));
    const items = element('ol');
    playlist.items.forEach((item, index) => {
      const row = element('li', 'item-row');
      row.append(boundInput('Slide', `${path}.items[${index}].slide`, item.slide, (value) => { item.slide = value; changed(); }, { choices: slides }),
                 boundInput('Seconds on screen', `${path}.items[${index}].dwell_ms`, item.dwell_ms / 1000, (value) => {
                   item.dwell_ms = Math.round(Number(value) * 1000);
                   changed();
                 }, { type: 'number' }));
      const remove = element('button', 'danger', 'Remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Remove item ${index + 1} of playlist ${id}`);
      remove.addEventListener('click', () => { playlist.items.splice(index, 1); renderPlaylists(); changed(); });
      row.append(remove);
      items.append(row);
    });
    const add = element('button', null, 'Add a slide');
    add.type = 'button';
    add.setAttribute('aria-label', `Add a slide to playlist ${id}`);
    add.addEventListener('click', () => { playlist.items.push({ slide: slides[0] || '', dwell_ms: 10000 }); renderPlaylists(); changed(); });
    const transition = element('div', 'field-grid');
    transition.append(boundInput('Transition', `${path}.transition`, playlist.transition.type, (value) => {
      playlist.transition = value === 'fade' ? { type: 'fade', ms: playlist.transition.ms || 500 } : { type: 'cut' };
      renderPlaylists();
      changed();
    }, { choices: ['cut', 'fade'] }));
    if (playlist.transition.type === 'fade') {
      transition.append(boundInput('Fade (ms)', `${path}.transition.ms`, playlist.transition.ms, (value) => {
        playlist.transition.ms = integer(value);
        changed();
      }, { type: 'number' }));
    }
    box.append(items, add, transition);
    return box;
  }));
  fillSelect($('playlist-new-slide'), slides.map((id) => [id, id]));
}

$('playlist-add-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('playlist-new').value.trim(), slide = $('playlist-new-slide').value;
  if (!id || !slide || draft.document.playlists[id]) return;
  draft.document.playlists[id] = { items: [{ slide, dwell_ms: 10000 }], transition: { type: 'cut' } };
  $('playlist-new').value = '';
  renderPlaylists();
  renderSchedule();
  changed();
});

// MARK: Schedule

// Day parts are written as 06:00-02:00, comma-separated.
const dayParts = (text) => list(text).map((part) => {
  const [from, to] = part.split('-').map((time) => time.trim());
  return { from, to };
});

function renderSchedule() {
  const playlists = Object.keys(draft.document.playlists);
  $('schedule-list').replaceChildren(...draft.document.schedule.map((entry, index) => {
    const path = `programme.schedule[${index}]`;
    const box = element('fieldset', 'entry');
    box.dataset.field = path;
    box.append(element('legend', null, `Entry ${entry.id}`));
    const set = (key, value) => {
      if (value === undefined || value === '' || (Array.isArray(value) && !value.length)) delete entry[key]; else entry[key] = value;
      changed();
    };
    const grid = element('div', 'field-grid');
    grid.append(
      boundInput('Name', `${path}.id`, entry.id, (value) => set('id', value)),
      boundInput('Playlist', `${path}.playlist`, entry.playlist, (value) => set('playlist', value), { choices: playlists }),
      boundInput('Groups (comma-separated)', `${path}.groups`, (entry.groups || []).join(', '), (value) => set('groups', list(value))),
      boundInput('Screens (comma-separated)', `${path}.screens`, (entry.screens || []).join(', '), (value) => set('screens', list(value))),
      boundInput('From (date)', `${path}.from`, entry.from, (value) => set('from', value), { type: 'date' }),
      boundInput('To (date)', `${path}.to`, entry.to, (value) => set('to', value), { type: 'date' }),
      boundInput('Weekdays (1 = Monday; empty for all)', `${path}.weekdays`, (entry.weekdays || []).join(', '),
                 (value) => set('weekdays', list(value).map(Number))),
      boundInput('Day parts (06:00-02:00, …; empty for all day)', `${path}.day_parts`,
                 (entry.day_parts || []).map((part) => `${part.from}-${part.to}`).join(', '), (value) => set('day_parts', dayParts(value))),
      boundInput('Priority', `${path}.priority`, entry.priority, (value) => set('priority', integer(value)), { type: 'number' }),
      boundInput('Interrupts what plays', `${path}.interrupt`, entry.interrupt, (value) => set('interrupt', value || undefined), { type: 'checkbox' }));
    const remove = element('button', 'danger', 'Remove entry');
    remove.type = 'button';
    remove.addEventListener('click', () => { draft.document.schedule.splice(index, 1); renderSchedule(); changed(); });
    box.append(grid, remove);
    return box;
  }));
}

$('entry-add').addEventListener('click', () => {
  const playlists = Object.keys(draft.document.playlists);
  const groups = [...new Set(Object.values(draft.document.screens).flatMap((screen) => screen.groups || []))];
  let number = draft.document.schedule.length + 1;
  while (draft.document.schedule.some((entry) => entry.id === `entry-${number}`)) number += 1;
  draft.document.schedule.push({ id: `entry-${number}`, playlist: playlists[0] || '', groups: groups.slice(0, 1), priority: 10 });
  renderSchedule();
  changed();
});

function changed() {
  clearMarks();
  $('draft-status').textContent = `editing programme v${draft.version}: unsaved changes`;
}

// MARK: Saving

$('draft-save').addEventListener('click', async () => {
  clearMarks();
  $('draft-status').textContent = 'saving…';
  try {
    const saved = await api('PUT', `/api/v1/programme?version=${draft.version}`, draft.document);
    $('draft-status').textContent = `saved as programme v${saved.version}; propose it as a release on the Releases page`;
    draft.version = saved.version;
  } catch (error) {
    $('draft-status').textContent = `not saved: ${error.message}`;
    showFault(error.field, error.message);
  }
});
