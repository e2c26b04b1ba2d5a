// What the browser keeps between page loads: the latest resume token the server
// issued (it expires, and each resume replaces it) and the messages typed but not
// yet confirmed by the server. sessionStorage by default (the tab forgets the chat
// when it is closed: safer on shared computers); with data-storage="local" the chat
// is shared by the site's tabs and survives restarts.
// If storage is unavailable (private mode, blocked cookies) the chat still works
// for the page's lifetime.

export class Store {
  constructor(kind, key) {
    this.key = key;
    this.memory = { token: null, queue: [] };
    try {
      this.storage = kind === "local" ? window.localStorage : window.sessionStorage;
      const saved = JSON.parse(this.storage.getItem(key) || "null");
      if (saved && typeof saved === "object") {
        this.memory.token = typeof saved.token === "string" ? saved.token : null;
        this.memory.queue = Array.isArray(saved.queue) ? saved.queue.filter(isQueued) : [];
      }
    } catch {
      this.storage = null;
    }
  }

  get token() {
    return this.memory.token;
  }

  set token(value) {
    this.memory.token = value;
    this.save();
  }

  get queue() {
    return this.memory.queue;
  }

  enqueue(message) {
    this.memory.queue.push(message);
    this.save();
  }

  /** Drop the queued messages whose id is in `ids`. */
  forget(ids) {
    const drop = new Set(ids);
    this.memory.queue = this.memory.queue.filter((m) => !drop.has(m.id));
    this.save();
  }

  clear() {
    this.memory = { token: null, queue: [] };
    this.save();
  }

  save() {
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.memory));
    } catch {
      // Quota or privacy settings: keep going with the in-memory copy.
    }
  }
}

function isQueued(m) {
  return m && typeof m.id === "string" && typeof m.text === "string" && typeof m.shown === "string";
}
