// Wires the widget together: UI (ui.js), persisted state (store.js) and the socket
// (connection.js). Started by sportello-widget.js with the embedding page's settings.

import { Connection, newMessageId } from "./connection.js";
import { Store } from "./store.js";
import { ChatUI } from "./ui.js";

export function start(config, strings) {
  const store = new Store(config.storage, `sportello-welfare:${config.server}`);
  let connection = null;

  const ui = new ChatUI(config, strings, {
    onOpen: () => connection.start(),
    onSend: (text) => send({ id: newMessageId(), text, shown: text }),
    onButton: (button) => send({ id: newMessageId(), text: button.payload, shown: button.title, title: button.title }),
    onRestart: () => {
      connection.restart();
      ui.reset(strings.restarted);
      ui.input.focus();
    },
  });

  connection = new Connection({
    server: config.server,
    path: config.socketPath,
    store,
    events: {
      onStatus: (state) => ui.setStatus(state),
      onTyping: (on) => ui.setTyping(on),
      onSent: (id) => ui.markSent(`u-${id}`),
      onMessage: (message) => {
        if (isMessage(message)) ui.add(message);
      },
      onSession: ({ history, replaced }) => {
        if (replaced) ui.reset(strings.expired);
        for (const message of history.filter(isMessage)) {
          // A queued message the server already has: shown once, as sent.
          if (message.from === "user") ui.markSent(message.id);
        }
        ui.addMany(history.filter(isMessage));
      },
    },
  });

  function send(message) {
    ui.add({ id: `u-${message.id}`, from: "user", text: message.shown }, { queued: true });
    connection.send(message);
  }

  // Messages typed before a reload that never reached the server.
  for (const message of store.queue) ui.add({ id: `u-${message.id}`, from: "user", text: message.shown }, { queued: true });
  // A conversation already under way is resumed at once (history, operator replies);
  // a first-time visitor opens a connection only when opening the chat.
  if (store.token || store.queue.length) connection.start();
  return ui;
}

function isMessage(m) {
  return m && typeof m.id === "string" && (m.from === "user" || m.from === "bot") && typeof m.text === "string";
}
