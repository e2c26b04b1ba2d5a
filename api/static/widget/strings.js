// Everything the widget says, in Italian. Each key can be replaced from the embedding
// page with a data-text-<key> attribute (e.g. data-text-placeholder="Chiedimi pure…").
export const STRINGS = Object.freeze({
  subtitle: "Assistente virtuale",
  welcome:
    "Ciao! 👋 Sono l'assistente virtuale dello **Sportello Welfare**. " +
    "Chiedimi pure del welfare aziendale: fringe benefit, premio di risultato, buoni pasto, piani di welfare…",
  launcherOpen: "Apri la chat con lo Sportello Welfare",
  launcherClose: "Chiudi la chat",
  unread: "nuovi messaggi",
  close: "Chiudi la chat",
  restart: "Nuova conversazione",
  restarted: "Hai iniziato una nuova conversazione.",
  expired: "La conversazione precedente non è più disponibile: ne è iniziata una nuova.",
  logLabel: "Messaggi della conversazione",
  inputLabel: "Scrivi la tua domanda",
  placeholder: "Scrivi la tua domanda…",
  send: "Invia",
  you: "Tu:",
  bot: "Assistente:",
  quickReplies: "Risposte rapide",
  typing: "L'assistente sta scrivendo…",
  connecting: "Connessione in corso…",
  online: "Online",
  reconnecting: "Connessione persa, riconnessione…",
  queued: "Verrà inviato appena torna la connessione",
  privacy: "Informativa privacy",
  disclaimer: "Non scrivere dati personali (codice fiscale, IBAN, salute).",
  newTab: "(si apre in una nuova scheda)",
});
