// Vigil dashboard: polls this node's /api/status and draws it. Every name from the cluster is put into the page
// as text (textContent / text nodes), never as HTML.
'use strict';
(function () {
  const POLL_MS = 1000;
  let token = sessionStorage.getItem('vigil-token') || '';
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    token = hash.get('token');
    sessionStorage.setItem('vigil-token', token);
    history.replaceState(null, '', location.pathname);
  }
  let last = null;

  // el('td', {className: 'x'}, 'text', child, ...): strings become text nodes
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === 'onclick') { e.addEventListener('click', v); } else if (k === 'dataset') {
          Object.assign(e.dataset, v);
        } else { e[k] = v; }
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) { continue; }
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(id) { const e = document.getElementById(id); e.replaceChildren(); return e; }
  function badge(text, kind) { return el('span', {className: 'badge ' + (kind || '')}, text); }
  function headers() { return token ? {'Authorization': 'Bearer ' + token} : {}; }

  function showMessage(text) {
    const m = document.getElementById('message');
    m.textContent = text;
    m.hidden = false;
    clearTimeout(showMessage.timer);
    showMessage.timer = setTimeout(() => { m.hidden = true; }, 6000);
  }

  async function act(params) {
    const body = new URLSearchParams(params);
    try {
      const r = await fetch('api/action', {method: 'POST', body: body,
        headers: Object.assign({'X-Vigil-Request': '1'}, headers())});
      const text = await r.text();
      let msg = text;
      try { const j = JSON.parse(text); msg = (j.output || '').trim() || ('exit ' + j.status); } catch (e) { /* text */ }
      showMessage(params.action + ' ' + (params.resource || params.node || '') + ': ' + msg);
      poll();
    } catch (e) {
      showMessage('action failed: ' + e);
    }
  }

  function nodeState(n) {
    if (n.unclean) { return 'unclean'; }
    if (!n.online) { return 'offline'; }
    if (n.standby) { return 'standby'; }
    if (n.maintenance) { return 'maintenance'; }
    return 'online';
  }

  function drawSummary(s) {
    const box = clear('summary');
    const crm = s.crm;
    box.appendChild(el('span', null, 'node ', el('b', null, s.node)));
    if (crm) {
      box.appendChild(el('span', null, 'DC ', el('b', null, crm.dc || 'none')));
    } else {
      box.appendChild(el('span', null, badge('CRM not available on this node', 'warn')));
    }
    const q = s.quorum;
    box.appendChild(el('span', {id: 'quorum'}, q ? badge(q.quorate ? 'quorate' : 'NO QUORUM', q.quorate ? 'ok' : 'bad')
      : badge('quorum unknown', 'warn')));
  }

  function drawNodes(s) {
    const box = clear('nodes');
    if (!s.crm) { box.appendChild(el('p', {className: 'empty'}, 'The CRM is not running on this node.')); return; }
    for (const n of s.crm.nodes) {
      const state = nodeState(n);
      const list = el('ul');
      for (const r of s.crm.resources) {
        if (r.nodes.includes(n.name)) {
          list.appendChild(el('li', {className: 'rsc', dataset: {resource: r.id}}, r.id + ' ',
            badge(r.role, r.failed ? 'bad' : 'ok')));
        }
      }
      if (!list.childNodes.length) { list.appendChild(el('li', {className: 'empty'}, 'no resources')); }
      const card = el('div', {className: 'node ' + state, dataset: {node: n.name, state: state}},
        el('h3', null, n.name, n.dc ? badge('DC') : null, badge(state, state === 'online' ? 'ok'
          : state === 'standby' || state === 'maintenance' ? 'warn' : 'bad')),
        list);
      if (s.actions) {
        card.appendChild(el('button', {onclick: () => act({action: 'standby', node: n.name,
          value: n.standby ? 'off' : 'on'})}, n.standby ? 'unstandby' : 'standby'));
      }
      box.appendChild(card);
    }
  }

  function drawResources(s) {
    const t = clear('resources');
    if (!s.crm) { return; }
    t.appendChild(el('tr', null, el('th', null, 'resource'), el('th', null, 'agent'), el('th', null, 'role'),
      el('th', null, 'nodes'), s.actions ? el('th', null, 'actions') : null));
    const online = s.crm.nodes.filter(n => n.online && !n.standby).map(n => n.name);
    for (const r of s.crm.resources) {
      let actions = null;
      if (s.actions) {
        const target = el('select', null, el('option', {value: ''}, '(any)'),
          ...online.map(n => el('option', {value: n}, n)));
        actions = el('td', null,
          el('button', {onclick: () => act({action: 'move', resource: r.id.split(':')[0],
            node: target.value})}, 'move to'), target,
          el('button', {onclick: () => act({action: 'ban', resource: r.id.split(':')[0], node: r.nodes[0] || ''})},
            'ban here'),
          el('button', {onclick: () => act({action: 'clear', resource: r.id.split(':')[0]})}, 'clear'),
          el('button', {onclick: () => act({action: 'cleanup', resource: r.id.split(':')[0]})}, 'cleanup'));
      }
      t.appendChild(el('tr', {dataset: {resource: r.id}},
        el('td', null, r.id, r.parent ? el('small', null, ' (' + r.parent + ')') : null),
        el('td', null, r.agent),
        el('td', null, badge(r.role, r.failed ? 'bad' : r.active ? 'ok' : '')),
        el('td', {className: 'where'}, r.nodes.join(', ') || '-'),
        actions));
    }
  }

  function drawFailures(s) {
    const t = clear('failures');
    const f = s.crm ? s.crm.failures : [];
    if (!f.length) { t.appendChild(el('tr', null, el('td', {className: 'empty'}, 'none'))); return; }
    t.appendChild(el('tr', null, ...['operation', 'node', 'result', 'reason', 'when'].map(h => el('th', null, h))));
    for (const x of f) {
      t.appendChild(el('tr', null, el('td', null, x.op_key || x.id || ''), el('td', null, x.node || ''),
        el('td', null, (x.exitstatus || '') + ' (' + (x.status || '') + ')'), el('td', null, x.exitreason || ''),
        el('td', null, x['last-rc-change'] || '')));
    }
  }

  // one link of one node: up/down from its heartbeats, the round trip in ms (cmap keeps microseconds)
  function ms(us) {
    return (Number(us) / 1000).toFixed(us < 10000 ? 2 : 0);
  }

  function linkBadge(l) {
    const up = Number(l.connected) === 1;
    const rtt = Number(l.latency_samples) > 0
      ? ' ' + ms(l.latency_ave) + ' ms (' + ms(l.latency_min) + '-' + ms(l.latency_max) + ')' : '';
    const b = badge('link ' + l.link + (up ? ' up' : ' down') + rtt, up ? 'ok' : 'bad');
    b.dataset.link = l.link;
    return b;
  }

  function drawRing(s) {
    const box = clear('ring');
    const r = s.ring;
    box.appendChild(el('p', null, 'ring ', el('b', null, r.id || '?'), ' state ', el('b', null, r.state || '?'),
      ...r.links.map(l => badge('ring ' + l.ring + (l.faulty ? ' FAULTY' : ' ok'), l.faulty ? 'bad' : 'ok'))));
    const t = el('table', null, el('tr', null, ...['node id', 'address', 'status', 'joins', 'links (round trip: average, min-max)']
      .map(h => el('th', null, h))));
    for (const m of r.members) {
      t.appendChild(el('tr', {dataset: {nodeid: m.nodeid}}, el('td', null, m.nodeid),
        el('td', null, m['ip'] || ''), el('td', null, badge(m.status || '?', m.status === 'joined' ? 'ok' : 'bad')),
        el('td', null, m.join_count || ''), el('td', null, ...(m.links || []).map(linkBadge))));
    }
    box.appendChild(t);
    const q = s.quorum;
    if (q) {
      box.appendChild(el('p', null, 'quorum: ' + q.totalVotes + ' of ' + q.expectedVotes + ' votes (' + q.quorum
        + ' needed), provider ' + (q.provider || 'none')));
    }
  }

  function drawTimeline(s) {
    const t = clear('timeline');
    const events = s.timeline || [];
    if (!events.length) { t.appendChild(el('tr', null, el('td', {className: 'empty'}, 'no events'))); return; }
    for (const e of events.slice().reverse().slice(0, 20)) {
      t.appendChild(el('tr', null, el('td', null, new Date(e.time).toISOString().replace('T', ' ').slice(0, 23)),
        el('td', null, e.kind), el('td', null, e.text)));
    }
  }

  function draw(s) {
    last = s;
    drawSummary(s);
    drawNodes(s);
    drawResources(s);
    drawFailures(s);
    drawRing(s);
    drawTimeline(s);
    document.body.dataset.updated = String(s.time);
  }

  async function poll() {
    const conn = document.getElementById('conn');
    try {
      const r = await fetch('api/status', {headers: headers(), cache: 'no-store'});
      if (r.status === 401) {
        document.getElementById('login').hidden = false;
        conn.textContent = 'token required';
        conn.className = 'conn bad';
        return;
      }
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      draw(await r.json());
      conn.textContent = 'live · ' + new Date().toLocaleTimeString();
      conn.className = 'conn';
    } catch (e) {
      conn.textContent = 'node not answering (' + e.message + ')';
      conn.className = 'conn bad';
    }
  }

  document.getElementById('login').addEventListener('submit', ev => {
    ev.preventDefault();
    token = document.getElementById('token').value.trim();
    sessionStorage.setItem('vigil-token', token);
    document.getElementById('login').hidden = true;
    poll();
  });
  poll();
  setInterval(poll, POLL_MS);
})();
