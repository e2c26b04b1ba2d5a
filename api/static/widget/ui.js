// The widget's DOM, inside a shadow root so that the employer's CSS and ours never
// meet: launcher button, chat panel (header, message log, composer, privacy link).
// Untrusted text only ever becomes text nodes (markdown.js), never markup.

import { render, safeUrl } from "./markdown.js";

const ICONS = {
  chat: "M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2zM7 9h10v2H7zm0-3h10v2H7zm0 6h7v2H7z",
  close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  send: "M3.4 20.4 20.85 12.92a1 1 0 0 0 0-1.84L3.4 3.6a.99.99 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z",
  restart:
    "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4z",
};

function h(doc, tag, attrs = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  el.append(...children);
  return el;
}

function icon(doc, name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = doc.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function initials(title) {
  const words = title.split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
}

export class ChatUI {
  constructor(config, strings, actions) {
    this.config = config;
    this.s = strings;
    this.actions = actions; // {onOpen, onSend(text), onButton(button), onRestart}
    this.unread = 0;
    const doc = document;
    this.doc = doc;

    // A tag of our own: the page's rules for div, section… never match the host.
    this.host = h(doc, "sportello-welfare", { id: "sportello-welfare-widget" });
    this.host.style.setProperty("display", "block", "important");
    const root = this.host.attachShadow({ mode: "open" });
    // Hidden until its stylesheet is in: no flash of an unstyled launcher.
    this.host.style.setProperty("visibility", "hidden");
    const styles = h(doc, "link", { rel: "stylesheet", href: new URL("sportello-widget.css", import.meta.url).href });
    const show = () => this.host.style.removeProperty("visibility");
    styles.addEventListener("load", show);
    styles.addEventListener("error", show);
    root.append(styles);
    if (config.color) this.host.style.setProperty("--sw-color", config.color);
    if (config.onColor) this.host.style.setProperty("--sw-on-color", config.onColor);

    this.status = h(doc, "span", { class: "sw-status-text", text: strings.connecting });
    this.statusLine = h(doc, "p", { class: "sw-status", role: "status", "data-state": "idle" },
      h(doc, "span", { class: "sw-status-dot", "aria-hidden": "true" }), this.status);
    this.restartButton = h(doc, "button", { type: "button", class: "sw-icon-button", "aria-label": strings.restart,
      title: strings.restart }, icon(doc, "restart"));
    this.closeButton = h(doc, "button", { type: "button", class: "sw-icon-button", "aria-label": strings.close,
      title: strings.close }, icon(doc, "close"));
    // A <div>, not a <header>: outside sectioning elements a <header> is a page-wide
    // "banner" landmark, and the host page has its own (axe-core: one banner only).
    const header = h(doc, "div", { class: "sw-header" },
      h(doc, "div", { class: "sw-avatar", "aria-hidden": "true", text: initials(config.title) }),
      h(doc, "div", { class: "sw-heading" }, h(doc, "h2", { id: "sw-title", text: config.title }), this.statusLine),
      this.restartButton, this.closeButton);

    this.typing = h(doc, "div", { class: "sw-typing", "aria-hidden": "true", hidden: true },
      h(doc, "span", { class: "sw-typing-dot" }), h(doc, "span", { class: "sw-typing-dot" }),
      h(doc, "span", { class: "sw-typing-dot" }));
    this.log = h(doc, "div", { class: "sw-log", role: "log", "aria-live": "polite", "aria-label": strings.logLabel,
      tabindex: "0" }, this.typing);

    this.input = h(doc, "textarea", { id: "sw-input", rows: "1", maxlength: String(config.maxChars),
      placeholder: strings.placeholder, autocomplete: "off", enterkeyhint: "send" });
    this.sendButton = h(doc, "button", { type: "submit", class: "sw-send", "aria-label": strings.send }, icon(doc, "send"));
    this.form = h(doc, "form", { class: "sw-composer" },
      h(doc, "label", { class: "sw-sr-only", for: "sw-input", text: strings.inputLabel }), this.input, this.sendButton);

    const footer = h(doc, "p", { class: "sw-footer" }, h(doc, "span", { text: strings.disclaimer }));
    const privacy = config.privacyUrl && safeUrl(config.privacyUrl);
    if (privacy) {
      footer.append(" ", h(doc, "a", { href: privacy, target: "_blank", rel: "noopener noreferrer", text: strings.privacy },
        h(doc, "span", { class: "sw-sr-only", text: ` ${strings.newTab}` })));
    }

    this.panel = h(doc, "section", { id: "sw-panel", class: "sw-panel", role: "dialog", "aria-labelledby": "sw-title",
      hidden: true }, header, this.log, this.form, footer);
    this.badge = h(doc, "span", { class: "sw-badge", "aria-hidden": "true", hidden: true });
    this.launcher = h(doc, "button", { type: "button", class: "sw-launcher", "aria-expanded": "false",
      "aria-controls": "sw-panel", "aria-label": strings.launcherOpen },
      icon(doc, "chat"), h(doc, "span", { class: "sw-launcher-close" }, icon(doc, "close")), this.badge);
    root.append(h(doc, "div", { class: `sw-root sw-${config.position}` }, this.panel, this.launcher));

    this.bind();
    this.showWelcome();
    doc.body.append(this.host);
  }

  bind() {
    this.launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    this.closeButton.addEventListener("click", () => this.close());
    this.restartButton.addEventListener("click", () => this.actions.onRestart());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.fitInput());
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.s.launcherClose);
    this.launcher.classList.add("sw-open");
    this.setUnread(0);
    this.scrollToEnd();
    this.input.focus();
    this.actions.onOpen();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.classList.remove("sw-open");
    this.setUnread(0);
    this.launcher.focus();
  }

  setUnread(count) {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = String(count);
    const label = this.isOpen ? this.s.launcherClose : this.s.launcherOpen;
    this.launcher.setAttribute("aria-label", count ? `${label} (${count} ${this.s.unread})` : label);
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.fitInput();
    this.actions.onSend(text);
  }

  fitInput() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 132)}px`;
  }

  setStatus(state) {
    this.statusLine.dataset.state = state;
    // Notes under queued messages ("will be sent…") only show while offline.
    this.panel.dataset.online = String(state === "online");
    const text = { online: this.s.online, reconnecting: this.s.reconnecting }[state] || this.s.connecting;
    this.status.textContent = state === "online" ? `${this.s.subtitle} · ${text}` : text;
  }

  setTyping(on) {
    this.typing.hidden = !on;
    if (on) this.scrollToEnd();
  }

  // --- messages --------------------------------------------------------------

  has(id) {
    return Boolean(this.find(id));
  }

  find(id) {
    return [...this.log.children].find((el) => el.dataset.id === id) || null;
  }

  /** New messages go before the ones still waiting to be sent (and the typing dots). */
  insert(el) {
    const before = this.log.querySelector(".sw-queued") || this.typing;
    this.log.insertBefore(el, before);
  }

  showWelcome() {
    const welcome = this.bubble({ id: "welcome", from: "bot", text: this.config.welcome || this.s.welcome });
    welcome.classList.add("sw-welcome");
    this.insert(welcome);
  }

  /** Empty the log (a new conversation), keeping the welcome message. */
  reset(notice) {
    for (const el of [...this.log.children]) {
      if (el !== this.typing && !el.classList.contains("sw-welcome")) el.remove();
    }
    if (notice) this.insert(h(this.doc, "p", { class: "sw-notice", text: notice }));
  }

  bubble(message) {
    const doc = this.doc;
    const mine = message.from === "user";
    const body = h(doc, "div", { class: "sw-bubble" });
    if (mine) body.append(h(doc, "p", { text: message.text }));
    else body.append(...render(doc, message.text, { newTabLabel: this.s.newTab }));
    const el = h(doc, "div", { class: `sw-msg ${mine ? "sw-user" : "sw-bot"}`, "data-id": message.id },
      h(doc, "span", { class: "sw-sr-only", text: mine ? this.s.you : this.s.bot }), body);
    if (!mine && message.buttons?.length) el.append(this.quickReplies(message.buttons));
    return el;
  }

  quickReplies(buttons) {
    const doc = this.doc;
    const group = h(doc, "div", { class: "sw-quick", role: "group", "aria-label": this.s.quickReplies });
    for (const button of buttons) {
      const url = /^https?:\/\//.test(button.payload) ? safeUrl(button.payload) : null;
      const el = url
        ? h(doc, "a", { class: "sw-chip", href: url, target: "_blank", rel: "noopener noreferrer", text: button.title })
        : h(doc, "button", { type: "button", class: "sw-chip", text: button.title });
      if (!url) el.addEventListener("click", () => this.actions.onButton(button));
      group.append(el);
    }
    return group;
  }

  /** Show a message once (by id); `queued` marks a user message not yet sent. */
  add(message, { queued = false, quiet = false } = {}) {
    if (this.has(message.id)) return;
    const el = this.bubble(message);
    if (queued) {
      el.classList.add("sw-queued");
      el.append(h(this.doc, "p", { class: "sw-note", text: this.s.queued }));
      this.log.insertBefore(el, this.typing);
    } else {
      this.insert(el);
    }
    this.refreshQuickReplies();
    if (!quiet) this.reveal(el);
    if (!quiet && message.from === "bot" && !this.isOpen) this.setUnread(this.unread + 1);
  }

  /** History replayed on (re)connection: inserted without reading it all aloud again. */
  addMany(messages) {
    const fresh = messages.filter((m) => !this.has(m.id));
    if (!fresh.length) return;
    this.log.setAttribute("aria-live", "off");
    for (const message of fresh) this.add(message, { quiet: true });
    this.scrollToEnd();
    setTimeout(() => this.log.setAttribute("aria-live", "polite"), 0);
  }

  /** A queued message reached the server. */
  markSent(id) {
    const el = this.find(id);
    if (!el) return;
    el.classList.remove("sw-queued");
    el.querySelector(".sw-note")?.remove();
    // Sent messages sit before those still queued, in the order they were sent.
    const firstQueued = this.log.querySelector(".sw-queued");
    if (firstQueued && el.compareDocumentPosition(firstQueued) & Node.DOCUMENT_POSITION_PRECEDING) {
      this.log.insertBefore(el, firstQueued);
    }
  }

  /** Only the latest bot buttons are live, until the user writes something else. */
  refreshQuickReplies() {
    let live = null;
    for (const el of [...this.log.querySelectorAll(".sw-msg")].reverse()) {
      if (el.classList.contains("sw-user")) break;
      const group = el.querySelector(".sw-quick");
      if (group) {
        live = group;
        break;
      }
    }
    for (const group of this.log.querySelectorAll(".sw-quick")) {
      const active = group === live;
      group.classList.toggle("sw-used", !active);
      for (const chip of group.querySelectorAll("button")) chip.disabled = !active;
    }
  }

  reveal(el) {
    // A long answer is shown from its first line, anything else scrolls to the end.
    if (el.offsetHeight > this.log.clientHeight - 24) this.log.scrollTop = el.offsetTop - 12;
    else this.scrollToEnd();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
