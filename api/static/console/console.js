// The console's own script: inserting a suggested or canned reply into the reply box,
// and going to the login when the live feed says the session ended. Everything else
// is htmx (vendored) and plain HTML forms, which work without this file.
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    const button = event.target.closest('button.inserisci');
    if (!button) return;
    const box = document.getElementById('risposta');
    if (!box) return;
    box.value = button.dataset.testo || '';
    // The topic the reply started from is recorded with it (empty for a canned reply).
    const topic = document.getElementById('argomento');
    if (topic) topic.value = button.dataset.argomento || '';
    const origin = document.getElementById('origine');
    if (origin) {
      origin.textContent = button.dataset.argomento
        ? 'Inserita la risposta «' + button.dataset.titolo + '»: modificala se serve, poi invia.'
        : 'Inserita la risposta pronta «' + button.dataset.titolo + '»: modificala se serve, poi invia.';
    }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });

  // sse-close="session_expired": the server ended the stream because the session ended.
  document.addEventListener('htmx:sseClose', function (event) {
    if (event.detail && event.detail.type === 'message') {
      window.location.reload();
    }
  });
})();
