/* global document, navigator */
// "Copy" buttons: a button with data-copy="<input id>" copies that input's value. Without scripts
// the button stays hidden and the value can be selected by hand. Served from 'self', so the
// strict CSP (no inline scripts) allows it.
(function () {
  'use strict';
  var buttons = document.querySelectorAll('button[data-copy]');
  Array.prototype.forEach.call(buttons, function (button) {
    var id = button.getAttribute('data-copy');
    var input = document.getElementById(id);
    var status = document.querySelector('[data-copied="' + id + '"]');
    if (!input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function (text) {
        if (status) status.textContent = text;
      };
      input.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(
          function () {
            done('Copied.');
          },
          function () {
            done('Press Ctrl+C (or ⌘C) to copy the selected token.');
          },
        );
      } else {
        done('Press Ctrl+C (or ⌘C) to copy the selected token.');
      }
    });
  });
})();
