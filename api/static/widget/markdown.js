// The little Markdown the assistant writes, turned into DOM nodes: paragraphs (blank
// line), line breaks, "- " lists, **bold** and [links](https://…). Nothing is ever
// parsed as HTML: every piece of text becomes a text node, so whatever a message
// contains is shown, never run.

const LIST_ITEM = /^\s*[-*•]\s+(.*)$/;
const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^()\s]+)\)/g;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:", "tel:"]);

/** The URL if it is safe to link (no javascript:, data: …), else null. */
export function safeUrl(raw) {
  try {
    const url = new URL(raw);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function link(doc, text, href, newTabLabel) {
  const a = doc.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = text;
  if (newTabLabel) {
    const hint = doc.createElement("span");
    hint.className = "sw-sr-only";
    hint.textContent = ` ${newTabLabel}`;
    a.append(hint);
  }
  return a;
}

/** Inline nodes of one line: text, <strong> and <a>. */
export function inline(doc, text, options = {}) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) nodes.push(doc.createTextNode(text.slice(last, match.index)));
    if (match[1] !== undefined) {
      const strong = doc.createElement("strong");
      strong.append(...inline(doc, match[1], options));
      nodes.push(strong);
    } else {
      const href = safeUrl(match[3]);
      nodes.push(href ? link(doc, match[2], href, options.newTabLabel) : doc.createTextNode(match[0]));
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(doc.createTextNode(text.slice(last)));
  return nodes;
}

/**
 * Block nodes of a message: <p> for paragraphs, <ul> for "- " items. List items
 * separated by blank lines stay in one list, as the knowledge base writes them.
 */
export function render(doc, text, options = {}) {
  const blocks = [];
  let paragraph = null;
  let list = null;
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((line, i) => {
    const item = LIST_ITEM.exec(line);
    if (item) {
      paragraph = null;
      if (!list) {
        list = doc.createElement("ul");
        blocks.push(list);
      }
      const li = doc.createElement("li");
      li.append(...inline(doc, item[1], options));
      list.append(li);
      return;
    }
    if (!line.trim()) {
      paragraph = null;
      const next = lines.slice(i + 1).find((l) => l.trim());
      if (!next || !LIST_ITEM.test(next)) list = null;
      return;
    }
    list = null;
    if (paragraph) {
      paragraph.append(doc.createElement("br"));
    } else {
      paragraph = doc.createElement("p");
      blocks.push(paragraph);
    }
    paragraph.append(...inline(doc, line.trim(), options));
  });
  return blocks;
}
