// A screen's page: its published schedule as timelines, a preview at any moment, its proofs of
// play and the events about it.
import { $, api, element, messageRow, show, state, time } from './core.js';

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

export async function openScreen(id) {
  show('screen');
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
    const commands = (await api('GET', `/api/v1/commands?screen=${encodeURIComponent(id)}`)).commands;
    $('command-rows').replaceChildren(...(commands.length ? commands.map((command) => {
      const row = element('tr', command.result && command.result !== 'done' ? 'error' : null);
      row.append(element('td', null, time(command.issued_at)), element('td', null, `${command.action} (#${command.sequence})`),
                 element('td', null, command.issued_by), element('td', null, command.result || 'not yet acknowledged'),
                 element('td', null, time(command.acknowledged_at)));
      return row;
    }) : [messageRow('none', 5)]));
    const events = (await api('GET', '/api/v1/audit?latest=1000')).events.filter((event) => event.subject === id && event.action !== 'play.batch');
    $('screen-events').replaceChildren(...(events.length ? events.slice(0, 30).map((event) =>
      element('li', event.action.startsWith('alert') ? 'error' : null, `${time(event.at)} ${event.action} by ${event.actor} from ${event.address}`))
      : [element('li', 'status', 'none')]));
  } catch (error) {
    $('play-rows').replaceChildren(messageRow(error.message, 5, 'error'));
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
