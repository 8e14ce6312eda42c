// The Signet console: signing in and out, and which view the address names. The views live in
// modules of their own; every string from the server goes on the page as text, never as markup.
import { openAlerts, openAudit } from './audit.js';
import { openContent } from './content.js';
import { $, api, show, state } from './core.js';
import { openReleases } from './releases.js';
import { openScreen } from './screen.js';
import { listenToWall, openWall, stopListening } from './wall.js';

async function boot() {
  try {
    signedIn(await api('GET', '/api/v1/session'));
  } catch (error) {
    show('sign-in');
  }
}

function signedIn(session) {
  state.me = session.account;
  state.csrf = session.csrf_token || null;
  if (state.me.must_change_password) { show('change-password'); return; }
  listenToWall();
  navigate();
}

// The view named in the address (#wall, #content, #releases, #alerts, #audit, #screen/ID), so
// that back and forward work.
function navigate() {
  const view = location.hash.slice(1);
  if (view.startsWith('screen/')) openScreen(decodeURIComponent(view.slice(7)));
  else if (view === 'content') openContent();
  else if (view === 'releases') openReleases();
  else if (view === 'alerts') openAlerts();
  else if (view === 'audit') openAudit();
  else openWall();
}

window.addEventListener('hashchange', () => {
  if (state.me && !state.me.must_change_password) navigate();
});

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
    listenToWall();
    navigate();
  } catch (error) {
    $('change-error').textContent = error.message;
  }
});

// Signing out loads the page afresh: nothing the last account saw stays in it.
$('sign-out').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (error) { /* signed out either way */ }
  stopListening();
  history.replaceState(null, '', '/console/');
  location.reload();
});

boot();
