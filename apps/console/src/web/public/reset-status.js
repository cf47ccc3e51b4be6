/* global document, fetch, setTimeout */
// Live status of password-reset requests on the account page. Progressive enhancement: without
// scripts the page refreshes itself (a <noscript> meta refresh) while a request is queued.
// Served from 'self', so the strict CSP (no inline scripts) allows it.
(function () {
  'use strict';
  var BADGES = {
    queued: ['Queued', 'blue'],
    sent: ['Sent', 'green'],
    failed: ['Failed', 'red'],
    used: ['Used', 'grey'],
    expired: ['Expired', 'red'],
  };
  var DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  var TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
  var INTERVAL_MS = 1500;
  var GIVE_UP_MS = 10 * 60 * 1000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function time(iso) {
    var d = new Date(iso);
    var t = el('time', '', DATE.format(d) + ', ' + TIME.format(d) + ' UTC');
    t.setAttribute('datetime', iso);
    return t;
  }

  function render(row, r) {
    var badge = BADGES[r.status] || [r.status, 'grey'];
    var cell = row.querySelector('.reset-status');
    cell.replaceChildren(el('span', 'badge badge-' + badge[1], badge[0]));
    if (r.reason) cell.append(' ', el('span', 'reason', r.reason));
    if (r.sentAt) row.querySelector('.reset-sent').replaceChildren(time(r.sentAt));
    row.setAttribute('data-status', r.status);
  }

  function poll(row, started) {
    var id = row.getAttribute('data-request-id');
    fetch('/api/v1/partner/password-resets/' + encodeURIComponent(id), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (r) {
        if (r) render(row, r);
        if ((!r || r.status === 'queued') && Date.now() - started < GIVE_UP_MS) {
          setTimeout(function () {
            poll(row, started);
          }, INTERVAL_MS);
        }
      })
      .catch(function () {
        setTimeout(function () {
          poll(row, started);
        }, INTERVAL_MS * 4);
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var rows = document.querySelectorAll('tr[data-request-id][data-status="queued"]');
    for (var i = 0; i < rows.length; i++) poll(rows[i], Date.now());
  });
})();
