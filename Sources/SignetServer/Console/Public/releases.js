// Releases: proposals with what they change where (before and after previews), who signed, how
// many signatures are still needed, and the command an approver runs on their own machine.
import { $, api, canEdit, element, show, time } from './core.js';

export async function openReleases() {
  show('releases');
  $('propose').hidden = !canEdit();
  try {
    const proposals = await loadProposals();
    const open = proposals.find((proposal) => proposal.state === 'open') || proposals[0];
    if (open) await showProposal(open.id); else $('proposal').hidden = true;
  } catch (error) {
    $('propose-status').textContent = error.message;
  }
}

async function loadProposals() {
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
  return proposals;
}

// The proposal last asked for: an answer for an earlier one that arrives late is not shown.
let shown = null;

async function showProposal(id) {
  shown = String(id);
  const proposal = await api('GET', `/api/v1/releases/${encodeURIComponent(id)}`);
  if (shown !== String(id)) return;
  $('proposal').hidden = false;
  $('proposal').dataset.proposal = proposal.id;
  showApprovals(proposal);
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
  if (proposal.state === 'open') watchApprovals(proposal.id);
}

function showApprovals(proposal) {
  $('proposal-title').textContent = `Proposal ${proposal.id}: ${proposal.role} v${proposal.targets_version} `
    + `(programme v${proposal.programme_version}), ${proposal.state}`;
  const signed = proposal.signatures.length, needed = Math.max(0, proposal.threshold - signed);
  $('proposal-approvals').textContent = `${signed} of ${proposal.threshold} approver signatures`
    + (proposal.state === 'open' ? (needed ? `; ${needed} still needed` : '') : '');
  $('proposal-signers').replaceChildren(...proposal.signatures.map((signature) =>
    element('li', null, `${signature.account} signed with key ${signature.keyid.slice(0, 16)} at ${time(signature.at)}`)));
}

// Approvers sign on their own machines: an open proposal's approvals are read again every two
// seconds while it is on the page, and the list of proposals when its state changes.
let watch = null;
function watchApprovals(id) {
  clearTimeout(watch);
  watch = setTimeout(async () => {
    if ($('releases').hidden || shown !== String(id)) return;
    try {
      const proposal = await api('GET', `/api/v1/releases/${encodeURIComponent(id)}`);
      showApprovals(proposal);
      if (proposal.state === 'open') watchApprovals(id); else await loadProposals();
    } catch (error) {
      $('propose-status').textContent = error.message;
    }
  }, 2000);
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
    await loadProposals();
    await showProposal(proposal.id);
  } catch (error) {
    $('propose-status').textContent = `not proposed: ${error.message}`;
  }
});
