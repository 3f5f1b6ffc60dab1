// The access review page's script, served by the gateway (/reports/access-review.js) so the page's
// Content-Security-Policy needs no inline script. Every value from the gateway is written with
// textContent; nothing is parsed as HTML. The API key lives in this tab's sessionStorage only and
// travels in the x-api-key header, never in a URL.
'use strict';

(() => {
  const KEY_STORAGE = 'anypoint-graph.access-review.apiKey';
  const PAGE_SIZE = 50;
  const FIGURES = ['principals', 'privilegedPrincipals', 'staleAccountsWithAccess', 'disabledUsersWithAccess', 'disabledUsersInTeams', 'connectedApps', 'appsWithAdminScopes'];

  const ORGANIZATIONS_QUERY = `query AccessReviewOrganizations {
  organizations { id name isRoot parent { id } environments { id name } }
}`;

  const REVIEW_QUERY = `query AccessReviewPage($organizationId: ID, $includeDescendants: Boolean, $filter: AccessReviewFilter, $first: Int, $after: String) {
  accessReview(organizationId: $organizationId, includeDescendants: $includeDescendants, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    summary { rows principals privilegedPrincipals staleDays staleAccountsWithAccess disabledUsersWithAccess disabledUsersInTeams connectedApps appsWithAdminScopes }
    nodes {
      principalType principalId principalName displayName email enabled lastLogin stale
      roleId roleName privileged organizationId organizationName environmentId environmentName
      via viaId viaName inheritedFromId inheritedFromName membershipType assignedViaExternalGroups externalGroups
    }
  }
}`;

  const $ = (id) => document.getElementById(id);
  const state = { key: '', organizations: [], args: null, endCursor: null, shown: 0, loading: false };

  /** A GraphQL request to the gateway's own /graphql with the key; throws with a readable message. */
  async function graphql(query, variables) {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': state.key },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: reported below by status.
    }
    const first = body && Array.isArray(body.errors) ? body.errors[0] : null;
    if (first) {
      const code = first.extensions && first.extensions.code ? `${first.extensions.code}: ` : '';
      throw new Error(`${code}${first.message}`);
    }
    if (!response.ok || !body || !body.data) throw new Error(`The gateway answered ${response.status}`);
    return body.data;
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  function showError(error) {
    const box = $('error');
    if (!error) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.textContent = error instanceof Error ? error.message : String(error);
    box.hidden = false;
  }

  function busy(on) {
    state.loading = on;
    for (const id of ['use-key', 'apply', 'load-more']) $(id).disabled = on;
  }

  /** What the filter controls say, as accessReview's arguments. */
  function readArgs() {
    const filter = {};
    const role = $('f-role').value.trim();
    if (role) filter.role = role;
    const env = $('f-env').value;
    if (env) filter.environmentId = env;
    if ($('f-privileged').checked) filter.privilegedOnly = true;
    const stale = $('f-stale').value.trim();
    if (stale !== '') {
      const days = Number(stale);
      if (!Number.isInteger(days) || days < 0 || days > 36500) throw new Error('Stale for days must be a whole number from 0 to 36500');
      filter.staleForDays = days;
    }
    if ($('f-disabled').checked) filter.disabledWithGrants = true;
    const type = $('f-type').value;
    if (type) filter.principalType = type;
    const args = { includeDescendants: $('f-descendants').checked, filter };
    const org = $('f-org').value;
    if (org) args.organizationId = org;
    return args;
  }

  /** The same filters as a query string, for the export endpoints. */
  function exportQuery(args, format) {
    const params = new URLSearchParams();
    if (args.organizationId) params.set('organizationId', args.organizationId);
    if (args.includeDescendants) params.set('includeDescendants', 'true');
    const f = args.filter;
    if (f.role) params.set('role', f.role);
    if (f.environmentId) params.set('environmentId', f.environmentId);
    if (f.privilegedOnly) params.set('privilegedOnly', 'true');
    if (f.staleForDays !== undefined) params.set('staleForDays', String(f.staleForDays));
    if (f.disabledWithGrants) params.set('disabledWithGrants', 'true');
    if (f.principalType) params.set('principalType', f.principalType);
    if (format) params.set('format', format);
    const text = params.toString();
    return text ? `?${text}` : '';
  }

  function option(value, label) {
    const el = document.createElement('option');
    el.value = value;
    el.textContent = label;
    return el;
  }

  /** Business groups, parents before children, indented by depth. */
  function fillOrganizations(organizations) {
    state.organizations = organizations;
    const byParent = new Map();
    for (const org of organizations) {
      const parent = org.parent ? org.parent.id : null;
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(org);
    }
    const known = new Set(organizations.map((o) => o.id));
    const tops = organizations.filter((o) => !o.parent || !known.has(o.parent.id));
    const select = $('f-org');
    const previous = select.value;
    select.replaceChildren();
    const walk = (org, depth) => {
      select.append(option(org.id, `${'\u2003'.repeat(depth)}${org.name}`));
      for (const child of byParent.get(org.id) || []) walk(child, depth + 1);
    };
    for (const org of tops) walk(org, 0);
    const root = organizations.find((o) => o.isRoot);
    select.value = previous && known.has(previous) ? previous : root ? root.id : select.value;
    fillEnvironments();
  }

  /** The environments of the chosen business group (and of its descendants when included). */
  function fillEnvironments() {
    const select = $('f-env');
    const previous = select.value;
    const chosen = $('f-org').value;
    const withDescendants = $('f-descendants').checked;
    const inScope = new Set([chosen]);
    if (withDescendants) {
      let grew = true;
      while (grew) {
        grew = false;
        for (const org of state.organizations) {
          if (org.parent && inScope.has(org.parent.id) && !inScope.has(org.id)) {
            inScope.add(org.id);
            grew = true;
          }
        }
      }
    }
    select.replaceChildren(option('', 'any'));
    for (const org of state.organizations) {
      if (!inScope.has(org.id) || !org.environments || org.environments.length === 0) continue;
      const group = document.createElement('optgroup');
      group.label = org.name;
      for (const env of org.environments) group.append(option(env.id, env.name));
      select.append(group);
    }
    select.value = [...select.options].some((o) => o.value === previous) ? previous : '';
  }

  function showSummary(summary, args) {
    for (const name of FIGURES) {
      const card = document.querySelector(`.card[data-figure="${name}"] .value`);
      card.textContent = String(summary[name]);
    }
    $('stale-days').textContent = `(${summary.staleDays} days)`;
    const org = state.organizations.find((o) => o.id === args.organizationId);
    $('summary-scope').textContent = `${org ? org.name : 'root business group'}${args.includeDescendants ? ' and its descendants' : ''} · ${summary.rows} rows in all`;
    $('summary').hidden = false;
  }

  const yesNo = (value) => (value ? 'yes' : 'no');

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.append(td);
    return td;
  }

  function appendRows(nodes) {
    const body = $('rows').tBodies[0];
    for (const node of nodes) {
      const tr = document.createElement('tr');
      if (node.privileged) tr.className = 'privileged';
      const principal = cell(tr, node.principalName);
      principal.title = [node.displayName, node.email].filter(Boolean).join(' · ');
      cell(tr, node.principalType === 'APP' ? 'app' : 'user');
      cell(tr, yesNo(node.enabled), node.enabled ? '' : 'flag');
      cell(tr, node.lastLogin ? node.lastLogin.slice(0, 10) : node.principalType === 'APP' ? '' : 'never');
      cell(tr, yesNo(node.stale), node.stale ? 'flag' : '');
      cell(tr, node.roleName).title = node.roleId;
      cell(tr, yesNo(node.privileged), node.privileged ? 'flag' : '');
      cell(tr, node.organizationName).title = node.organizationId;
      cell(tr, node.environmentName || '');
      cell(tr, node.via);
      cell(tr, node.viaName || '');
      cell(tr, node.inheritedFromName || '');
      cell(tr, node.membershipType || '');
      cell(tr, node.externalGroups.join(', ') || (node.assignedViaExternalGroups ? '(assigned via external groups)' : ''));
      body.append(tr);
    }
  }

  /** The first page for the current filters (fresh) or the next one (`more`). */
  async function loadReview(more) {
    if (state.loading) return;
    showError(null);
    let args;
    try {
      args = more ? state.args : readArgs();
    } catch (error) {
      showError(error);
      return;
    }
    busy(true);
    setStatus(more ? 'Loading more rows…' : 'Loading the access review…');
    try {
      const data = await graphql(REVIEW_QUERY, { ...args, first: PAGE_SIZE, after: more ? state.endCursor : null });
      const review = data.accessReview;
      if (!more) {
        state.args = args;
        state.shown = 0;
        $('rows').tBodies[0].replaceChildren();
        showSummary(review.summary, args);
      }
      appendRows(review.nodes);
      state.shown += review.nodes.length;
      state.endCursor = review.pageInfo.endCursor;
      $('load-more').hidden = !review.pageInfo.hasNextPage;
      $('row-count').textContent = `${state.shown} of ${review.totalCount}`;
      $('results').hidden = false;
      setStatus(`Showing ${state.shown} of ${review.totalCount} rows.`);
    } catch (error) {
      setStatus('');
      showError(error);
    } finally {
      busy(false);
    }
  }

  async function start() {
    const key = $('api-key').value.trim();
    if (!key) {
      showError(new Error('Enter an API key with the auditor role'));
      return;
    }
    state.key = key;
    sessionStorage.setItem(KEY_STORAGE, key);
    showError(null);
    // Another key may see other rows: nothing of the last one's stays on screen.
    clearReview();
    busy(true);
    setStatus('Loading business groups…');
    try {
      fillOrganizations((await graphql(ORGANIZATIONS_QUERY, {})).organizations || []);
      $('filters').hidden = false;
    } catch (error) {
      setStatus('');
      showError(error);
      busy(false);
      return;
    }
    busy(false);
    await loadReview(false);
  }

  /** A filename from Content-Disposition, else a default. */
  function filenameOf(response, fallback) {
    const disposition = response.headers.get('content-disposition') || '';
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    if (!match) return fallback;
    try {
      return decodeURIComponent(match[1]).replace(/[\\/]/g, '_');
    } catch {
      return fallback;
    }
  }

  /** Fetch an export with the key in the header (never the URL) and save what comes back. */
  async function download(button) {
    showError(null);
    if (!state.key) {
      showError(new Error('Enter an API key first'));
      return;
    }
    let args;
    try {
      args = state.args || readArgs();
    } catch (error) {
      showError(error);
      return;
    }
    const format = button.dataset.format || '';
    const path = button.dataset.export;
    const url = `${path}${exportQuery(args, format)}`;
    const fallback = format === 'baton' ? 'access-review-baton.csv' : path.slice(path.lastIndexOf('/') + 1);
    button.disabled = true;
    setStatus(`Downloading ${fallback}…`);
    try {
      const response = await fetch(url, { headers: { 'x-api-key': state.key }, credentials: 'omit', cache: 'no-store' });
      if (!response.ok) throw new Error(`The export answered ${response.status}`);
      const blob = await response.blob();
      const href = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = href;
      link.download = filenameOf(response, fallback);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      setStatus(`Downloaded ${link.download}.`);
    } catch (error) {
      setStatus('');
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  function clearReview() {
    state.args = null;
    state.endCursor = null;
    state.shown = 0;
    $('rows').tBodies[0].replaceChildren();
    for (const id of ['summary', 'filters', 'results']) $(id).hidden = true;
  }

  function resetFilters() {
    for (const id of ['f-role', 'f-stale']) $(id).value = '';
    for (const id of ['f-privileged', 'f-disabled', 'f-descendants']) $(id).checked = false;
    $('f-type').value = '';
    const root = state.organizations.find((o) => o.isRoot);
    if (root) $('f-org').value = root.id;
    fillEnvironments();
    loadReview(false);
  }

  function init() {
    const stored = sessionStorage.getItem(KEY_STORAGE);
    const demo = document.querySelector('meta[name="demo-api-key"]');
    const demoKey = demo ? demo.getAttribute('content') : '';
    $('api-key').value = stored || demoKey || '';
    if (!stored && demoKey) $('demo-note').hidden = false;
    $('use-key').addEventListener('click', start);
    $('api-key').addEventListener('keydown', (event) => {
      if (event.key === 'Enter') start();
    });
    $('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      state.key = '';
      $('api-key').value = '';
      clearReview();
      setStatus('Key forgotten.');
    });
    $('apply').addEventListener('click', () => loadReview(false));
    $('reset').addEventListener('click', resetFilters);
    $('load-more').addEventListener('click', () => loadReview(true));
    $('f-org').addEventListener('change', fillEnvironments);
    $('f-descendants').addEventListener('change', fillEnvironments);
    for (const button of document.querySelectorAll('button[data-export]')) button.addEventListener('click', () => download(button));
    // A key from earlier in this tab's session: load straight away.
    if (stored) start();
  }

  init();
})();
