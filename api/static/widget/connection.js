// The socket.io link to the Rasa server's web chat channel (bot/channels/webchat.py).
//
// The server issues the conversation: we send back only the resume token it gave
// us, and keep the fresh one it answers with. socket.io-client reconnects by itself
// with exponential back-off; after every (re)connection we ask for the session
// again, which also brings back what we missed. Messages are sent one at a time
// from a persisted queue and leave it only when the server acknowledges them, so
// nothing typed offline (or before a reload) is lost; the server drops a message it
// has already seen (same id).

const SOCKET_IO = new URL("../vendor/socket.io-client-4.8.4/socket.io.esm.min.js", import.meta.url).href;
const ACK_TIMEOUT_MS = 60000;
const RETRY_MS = 2000;

export function newMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

export class Connection {
  constructor({ server, path, store, events }) {
    this.server = server;
    this.path = path;
    this.store = store;
    // events: onStatus(state), onSession({history, replaced}), onMessage(message),
    // onTyping(on), onSent(id)
    this.events = events;
    this.socket = null;
    this.ready = false; // a session is confirmed on the current socket
    this.inflight = null; // id of the message waiting for its acknowledgement
    this.generation = 0; // acknowledgements from an older socket or conversation are ignored
  }

  async start() {
    if (this.socket || this.starting) return;
    this.starting = true;
    this.events.onStatus("connecting");
    let io;
    try {
      ({ io } = await import(SOCKET_IO));
    } catch {
      // The library could not be loaded (network down?): try again in a while.
      this.starting = false;
      this.events.onStatus("reconnecting");
      setTimeout(() => this.start(), 5 * RETRY_MS);
      return;
    }
    this.socket = io(this.server, {
      path: this.path,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 15000,
      randomizationFactor: 0.5,
      timeout: 10000,
      withCredentials: false,
    });
    this.bind(this.socket);
  }

  bind(socket) {
    socket.on("connect", () => this.requestSession());
    socket.on("disconnect", (reason) => {
      this.ready = false;
      this.inflight = null;
      this.generation += 1;
      this.events.onTyping(false);
      this.events.onStatus("reconnecting");
      // The server closed this socket on purpose: socket.io does not retry then.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), RETRY_MS);
    });
    socket.on("connect_error", () => this.events.onStatus("reconnecting"));
    socket.on("session_confirm", (data) => this.confirmed(data));
    socket.on("bot_uttered", (message) => this.events.onMessage(message));
    socket.on("user_uttered", (message) => this.events.onMessage(message));
    socket.on("bot_typing", (data) => this.events.onTyping(Boolean(data?.on)));
  }

  requestSession() {
    this.ready = false;
    this.socket.emit("session_request", { token: this.store.token });
  }

  confirmed(data) {
    if (!data || typeof data.token !== "string") return;
    // Every resume brings a fresh token (the old one expires in time): keep it. Only a
    // conversation the server did not resume (token expired or not valid) is a new one.
    const replaced = Boolean(this.store.token) && data.resumed !== true;
    this.store.token = data.token;
    const history = Array.isArray(data.history) ? data.history : [];
    // Queued messages the server already has (the ack was lost) are not sent again.
    this.store.forget(history.filter((m) => m.from === "user").map((m) => m.id.replace(/^u-/, "")));
    this.events.onSession({ history, replaced });
    this.ready = true;
    this.events.onStatus("online");
    this.pump();
  }

  send(message) {
    this.store.enqueue(message);
    if (!this.socket) this.start();
    this.pump();
  }

  pump() {
    if (!this.ready || this.inflight || !this.store.queue.length) return;
    const message = this.store.queue[0];
    const generation = this.generation;
    this.inflight = message.id;
    this.events.onSent(message.id);
    this.events.onTyping(true);
    const data = { message: message.text, id: message.id, title: message.title };
    this.socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, (error, ack) => {
      if (generation !== this.generation) return;
      this.inflight = null;
      if (error) {
        // No answer in time: try again (the server ignores it if it already has it).
        setTimeout(() => this.pump(), RETRY_MS);
        return;
      }
      if (ack?.status === "no_session") {
        this.requestSession();
        return;
      }
      this.store.forget([message.id]);
      this.events.onTyping(false);
      this.pump();
    });
  }

  /** Forget this conversation and ask the server for a new one. */
  restart() {
    this.store.clear();
    this.generation += 1;
    this.inflight = null;
    this.events.onTyping(false);
    if (this.socket?.connected) this.requestSession();
  }
}
