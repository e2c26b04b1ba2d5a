/*!
 * Sportello Welfare — chat widget. Embed it with one tag:
 *   <script src="https://ASSISTENTE/static/widget/sportello-widget.js"
 *           data-server="https://ASSISTENTE-RASA" defer></script>
 * Every data-* option is described in the project README.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || window.__sportelloWelfareWidget) return;
  window.__sportelloWelfareWidget = true;

  var data = script.dataset;
  var server = data.server || "";
  if (!/^https?:\/\//.test(server)) {
    console.error("Sportello Welfare: manca data-server con l'indirizzo del server dell'assistente (http/https).");
    return;
  }

  function color(value) {
    return value && window.CSS && CSS.supports("color", value) ? value : null;
  }

  var config = {
    server: server.replace(/\/+$/, ""),
    socketPath: data.socketPath || "/webhooks/webchat/socket.io",
    title: data.title || "Sportello Welfare",
    welcome: data.welcome || "",
    privacyUrl: data.privacyUrl ? new URL(data.privacyUrl, document.baseURI).href : "",
    position: data.position === "left" ? "left" : "right",
    color: color(data.color),
    onColor: color(data.onColor),
    storage: data.storage === "local" ? "local" : "session",
    maxChars: Math.max(10, parseInt(data.maxChars, 10) || 1000),
  };
  var base = script.src;

  function boot() {
    Promise.all([import(new URL("strings.js", base).href), import(new URL("app.js", base).href)])
      .then(function (modules) {
        var strings = Object.assign({}, modules[0].STRINGS);
        if (config.title !== "Sportello Welfare") strings.launcherOpen = "Apri la chat: " + config.title;
        // data-text-<key> overrides any string, e.g. data-text-placeholder="Chiedimi pure…"
        Object.keys(data).forEach(function (name) {
          var match = /^text([A-Z].*)$/.exec(name);
          if (!match) return;
          var key = match[1].charAt(0).toLowerCase() + match[1].slice(1);
          if (key in strings) strings[key] = data[name];
        });
        modules[1].start(config, strings);
      })
      .catch(function (error) {
        console.error("Sportello Welfare: impossibile avviare la chat.", error);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
