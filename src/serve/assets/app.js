// litsearch serve: the search page, progressively enhanced. Without this script the page is
// complete (a GET form, links); with it, results follow typing, facet and page links load in
// place, the URL stays in step (back/forward work) and the keyboard moves through hits.
(() => {
  'use strict';
  const form = document.getElementById('search');
  const results = document.getElementById('results');
  const box = document.getElementById('q');
  if (!form || !box) return;
  // On a paper's page there is nothing to update in place: the form just submits.
  const live = results && results.querySelector('.region') !== null;

  let latest = 0;        // number of the newest request sent
  let shown = 0;         // number of the request whose results are on screen
  let controller = null; // aborts a request that a newer one replaces
  let timer = 0;
  let typing = false;    // the last history entry was made while typing: replace it

  // The form's state as a query string: empty fields left out, offset dropped (a new search
  // starts at page 1).
  const formQuery = () => {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) {
      if (v !== '') p.append(k, v);
    }
    return p.toString();
  };

  // Fills the visible controls from a query string (after back/forward).
  const fillForm = (qs) => {
    const p = new URLSearchParams(qs);
    box.value = p.get('q') || '';
    for (const id of ['since', 'until']) {
      const el = document.getElementById(id);
      if (el) el.value = p.get(id) || '';
    }
    const sort = document.getElementById('sort');
    if (sort) sort.value = p.get('sort') || '';
    const featured = document.getElementById('featured');
    if (featured) featured.checked = ['1', 'true', 'on', 'yes'].includes(p.get('featured') || '');
  };

  // Loads the results for `qs`. `history`: 'push', 'replace' or null (back/forward).
  const load = async (qs, history) => {
    const mine = ++latest;
    if (controller) controller.abort();
    controller = new AbortController();
    results.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('/results' + (qs ? '?' + qs : ''), {
        signal: controller.signal,
        headers: { Accept: 'text/html' },
      });
      const html = await response.text();
      // A response to an older request never overwrites a newer one.
      if (mine !== latest || mine < shown) return;
      shown = mine;
      results.innerHTML = html;
      const region = results.querySelector('.region');
      if (region && region.dataset.title) document.title = region.dataset.title;
      const url = '/' + (qs ? '?' + qs : '');
      if (history === 'push') window.history.pushState({ qs }, '', url);
      else if (history === 'replace') window.history.replaceState({ qs }, '', url);
    } catch (err) {
      if (err.name !== 'AbortError' && mine === latest) {
        results.innerHTML = '<p class="error" role="alert"></p>';
        results.firstChild.textContent = 'The search could not be loaded (' + err.message + ').';
      }
    } finally {
      if (mine === latest) results.removeAttribute('aria-busy');
    }
  };

  if (live) {
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        load(formQuery(), typing ? 'replace' : 'push');
        typing = true;
      }, 250);
    });
    form.addEventListener('change', (e) => {
      if (e.target === box) return;
      typing = false;
      load(formQuery(), 'push');
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clearTimeout(timer);
      typing = false;
      load(formQuery(), 'push');
    });
    // Facet values, chosen filters and pages load in place.
    results.addEventListener('click', (e) => {
      const a = e.target.closest('a[data-nav]');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      typing = false;
      const qs = new URL(a.href).search.replace(/^\?/, '');
      const wasFacet = a.classList.contains('facet-value');
      const field = wasFacet ? a.closest('.facet').dataset.field : null;
      const value = wasFacet ? a.querySelector('.value').textContent : null;
      load(qs, 'push').then(() => {
        // Keep the focus on the value just toggled, as a checkbox would.
        if (!wasFacet) return;
        for (const other of results.querySelectorAll('.facet[data-field="' + field + '"] .facet-value')) {
          if (other.querySelector('.value').textContent === value) { other.focus(); break; }
        }
      });
    });
    // Space toggles a facet value, as on a checkbox.
    results.addEventListener('keydown', (e) => {
      const a = e.target.closest && e.target.closest('a.facet-value');
      if (a && e.key === ' ') { e.preventDefault(); a.click(); }
    });
    window.addEventListener('popstate', () => {
      const qs = window.location.search.replace(/^\?/, '');
      typing = false;
      fillForm(qs);
      load(qs, null);
    });
    window.history.replaceState({ qs: window.location.search.replace(/^\?/, '') }, '', window.location.href);
  }

  // Keys: `/` focuses the box; arrows move through the hits (from the box too); Enter opens
  // the focused hit (a link, so the browser does it).
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const editing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (e.key === '/' && !editing) {
      e.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    if (editing && t !== box) return;
    const links = Array.from(document.querySelectorAll('.hit a.title'));
    if (links.length === 0) return;
    const at = links.indexOf(document.activeElement);
    let next = null;
    if (e.key === 'ArrowDown') next = at < 0 ? links[0] : links[Math.min(at + 1, links.length - 1)];
    else if (at === 0) next = box;
    else if (at > 0) next = links[at - 1];
    if (!next) return;
    e.preventDefault();
    for (const h of document.querySelectorAll('.hit.current')) h.classList.remove('current');
    next.focus();
    const hit = next.closest('.hit');
    if (hit) {
      hit.classList.add('current');
      hit.scrollIntoView({ block: 'nearest' });
    }
  });
})();
