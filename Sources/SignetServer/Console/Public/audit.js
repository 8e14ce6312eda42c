// The audit trail with each event's log entry, and forensics: what a screen showed at a moment
// and why, examined from signed evidence.
import { $, api, element, fillSelect, messageRow, show, state, time } from './core.js';

export async function openAudit() {
  show('audit');
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
    $('audit-rows').replaceChildren(messageRow(error.message, 6, 'error'));
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

// MARK: Alerts

// Alerts, newest first: screens gone silent or back, and a transparency log that a player saw
// fork or roll back. Screens on the wall with an alert of their own are listed above them.
export async function openAlerts() {
  show('alerts');
  renderAlertsNow();
  try {
    const events = (await api('GET', '/api/v1/audit?latest=200&alerts=true')).events;
    $('alert-rows').replaceChildren(...(events.length ? events.map((event) => {
      const row = element('tr', event.action === 'alert.screen.back' ? null : 'error');
      row.append(element('td', null, time(event.at)), element('td', null, event.action.slice(6)), element('td', null, event.subject),
                 element('td', null, event.detail), element('td', null, event.log_index === null ? '' : `${event.log_index}`));
      return row;
    }) : [messageRow('No alerts yet.', 5)]));
  } catch (error) {
    $('alert-rows').replaceChildren(messageRow(error.message, 5, 'error'));
  }
}

// What needs attention now follows the wall's live list.
document.addEventListener('screens', () => { if (!$('alerts').hidden) renderAlertsNow(); });

function renderAlertsNow() {
  const needsAttention = (heartbeat) => heartbeat && (heartbeat.log_alert || heartbeat.containment || heartbeat.capture === 'mismatch');
  const current = state.screens.filter((screen) => !screen.online || needsAttention(screen.heartbeat));
  $('alert-now').replaceChildren(...(current.length ? current.map((screen) => {
    const item = element('li', 'error');
    const link = element('a', null, screen.name || screen.id);
    link.href = `#screen/${encodeURIComponent(screen.id)}`;
    const heartbeat = screen.online ? screen.heartbeat || {} : {};
    const why = heartbeat.log_alert ? `saw the transparency log fork: ${heartbeat.log_alert}`
      : heartbeat.containment ? `contained on the ${heartbeat.containment}: the screen did not show the approved frame`
      : heartbeat.capture === 'mismatch' ? 'the capture does not show what the player outputs'
      : screen.last_seen ? `offline since ${time(screen.last_seen)}` : 'never seen';
    item.append(link, element('span', null, `: ${why}`));
    return item;
  }) : [element('li', 'status', 'Every screen is online, shows what was approved, and none has seen the log fork.')]));
}
