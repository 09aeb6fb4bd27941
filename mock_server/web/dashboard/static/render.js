// Messages drawn the way the WeCom client shows them (text, markdown subset, cards, news).
export const esc = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// WeCom's markdown: headings, bold, links, `code`, > quotes and <font color="info|comment|warning">.
export function markdown(src) {
  let html = esc(src);
  html = html.replace(/&lt;font color=(?:&quot;|&#39;)?(info|comment|warning)(?:&quot;|&#39;)?&gt;([\s\S]*?)&lt;\/font&gt;/g,
    (_m, color, text) => `<span class="font-${color}">${text}</span>`);
  const lines = html.split("\n").map((line) => {
    const h = line.match(/^(#{1,6}) (.*)$/);
    if (h) return `<h${h[1].length}>${h[2]}</h${h[1].length}>`;
    if (line.startsWith("&gt; ")) return `<blockquote>${line.slice(5)}</blockquote>`;
    return line;
  });
  html = lines.join("\n")
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noreferrer">$1</a>');
  return html.replace(/(<\/h\d>|<\/blockquote>)\n/g, "$1");
}

function textcard(c) {
  // description allows <div class="gray|normal|highlight">: keep those, escape the rest.
  const desc = esc(c.description).replace(/&lt;div class=(?:&quot;)?(gray|normal|highlight)(?:&quot;)?&gt;([\s\S]*?)&lt;\/div&gt;/g,
    (_m, cls, text) => `<div class="${cls}">${text}</div>`).replace(/&lt;br\s*\/?&gt;/g, "<br>");
  return `<div class="bubble textcard"><div class="title">${esc(c.title)}</div><div>${desc}</div>
    <div class="link">${esc(c.btntxt || "详情")} ›</div></div>`;
}

function news(articles) {
  return `<div class="bubble news">${(articles || []).map((a) => `<a href="${esc(a.url || "#")}" target="_blank" rel="noreferrer">
    ${a.picurl || a.thumb_media_id ? `<div class="pic">${esc(a.picurl ? "picture" : "cover")}</div>` : ""}
    <b>${esc(a.title)}</b><div class="muted">${esc(a.description || a.digest || "")}</div></a>`).join("")}</div>`;
}

function templateCard(c) {
  const src = c.source ? `<div class="src">${esc(c.source.desc || "")}</div>` : "";
  const main = c.main_title ? `<div class="title">${esc(c.main_title.title || "")}</div><div class="muted">${esc(c.main_title.desc || "")}</div>` : "";
  const emph = c.emphasis_content ? `<div class="emph">${esc(c.emphasis_content.title || "")}</div><div class="muted">${esc(c.emphasis_content.desc || "")}</div>` : "";
  const quote = c.quote_area ? `<blockquote>${esc(c.quote_area.title || "")} ${esc(c.quote_area.quote_text || "")}</blockquote>` : "";
  const sub = c.sub_title_text ? `<div>${esc(c.sub_title_text)}</div>` : "";
  const kv = (c.horizontal_content_list || []).map((h) => `<div class="kv"><span class="muted">${esc(h.keyname)}</span><span>${esc(h.value || "")}</span></div>`).join("");
  const jumps = (c.jump_list || []).map((j) => `<div class="link">${esc(j.title)} ›</div>`).join("");
  const buttons = (c.button_list || []).map((b) => `<span>${esc(b.text)}</span>`).join("");
  const replaced = c.replace_name ? `<div class="muted">${esc(c.replace_name)}</div>` : "";
  return `<div class="bubble tc">${src}${main}${emph}${quote}${sub}${kv}${jumps}
    ${buttons ? `<div class="btns">${buttons}</div>` : ""}${replaced}
    <div class="muted" style="font-size:11px;margin-top:6px">template_card · ${esc(c.card_type || "")}</div></div>`;
}

export function renderMessage(m) {
  const c = m.content || {};
  const recalled = m.recalled ? " recalled" : "";
  switch (m.msgtype) {
    case "text":
      return `<div class="bubble${recalled}">${esc(c.content)}</div>`;
    case "markdown":
    case "markdown_v2":
      return `<div class="bubble md${recalled}">${markdown(c.content)}</div>`;
    case "textcard":
      return textcard(c);
    case "news":
      return news(c.articles);
    case "mpnews":
      return news(c.articles);
    case "template_card":
      return templateCard(c);
    default:
      return `<div class="bubble${recalled}"><span class="muted">[${esc(m.msgtype)}]</span> ${esc(m.text || JSON.stringify(c))}</div>`;
  }
}
