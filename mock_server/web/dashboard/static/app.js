// The sandbox dashboard. Plain ES module, no build step, no network beyond /__admin.
import { renderMessage, esc } from "/__admin/ui/render.js";

const $ = (sel, root = document) => root.querySelector(sel);
const view = $("#view");
const ui = { corpid: null, tab: "company", timer: null, errcodes: null, inboxSel: null, msgs: new Map() };

async function api(path, opts = {}) {
  const init = { headers: { Accept: "application/json" }, ...opts };
  if (opts.body !== undefined && typeof opts.body !== "string") {
    init.body = JSON.stringify(opts.body);
    init.headers["Content-Type"] = "application/json";
  }
  const resp = await fetch("/__admin" + path, init);
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(data.error || `HTTP ${resp.status}`);
  return data;
}
const q = (params) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
};
function toast(text, bad = false) {
  const t = $("#toast");
  t.textContent = text;
  t.style.background = bad ? "#b3261e" : "#1d2b3a";
  t.classList.add("show");
  clearTimeout(toast.t);
  toast.t = setTimeout(() => t.classList.remove("show"), 2600);
}
const fmtTime = (iso, epoch) => (iso ? iso.replace("T", " ").replace("+08:00", "") : epoch ? new Date(epoch * 1000).toLocaleString() : "");
const copyBtn = (value, label = "copy") =>
  `<button class="small copy" data-copy="${esc(value)}" aria-label="copy ${esc(label)}">copy</button>`;
const statusBadge = (code) =>
  code === 0 ? `<span class="badge ok">0</span>` : code === null || code === undefined ? "" :
  `<a href="#" class="badge bad errlink" data-errcode="${code}" title="what does ${code} mean?">${code}</a>`;

document.addEventListener("click", async (ev) => {
  const c = ev.target.closest("[data-copy]");
  if (c) {
    const value = c.dataset.copy;
    try { await navigator.clipboard.writeText(value); } catch {
      const ta = document.createElement("textarea"); ta.value = value; document.body.append(ta); ta.select();
      document.execCommand("copy"); ta.remove();
    }
    toast("copied");
    return;
  }
  const e = ev.target.closest(".errlink");
  if (e) { ev.preventDefault(); explainErrcode(e.dataset.errcode, e); }
});

async function explainErrcode(code, anchor) {
  if (!ui.errcodes) ui.errcodes = (await api("/errcodes")).errcodes;
  const row = ui.errcodes[String(code)];
  const box = document.createElement("div");
  box.className = "explain";
  box.id = `errcode-${code}`;
  box.innerHTML = row
    ? `<b>${esc(code)}</b> ${esc(row.errmsg_zh || "")} — ${esc(row.meaning_en || "")}
       <span class="muted">(${esc(row.area || "")}${row.confirmed ? "" : ", unconfirmed"})</span>`
    : `<b>${esc(code)}</b> is not in the errcode table.`;
  document.querySelectorAll(".explain").forEach((x) => x.remove());
  (anchor.closest("td") || anchor.parentElement).append(box);
}

// ---------------------------------------------------------------------------------------
// Header: corps, state, clock, reset
// ---------------------------------------------------------------------------------------
async function header() {
  const idx = await api("");
  const sel = $("#corp");
  sel.innerHTML = idx.corps.map((c) => `<option>${esc(c)}</option>`).join("");
  ui.corpid = ui.corpid || idx.corps[0];
  sel.value = ui.corpid;
  const st = idx.state;
  $("#state").textContent = st.path ? `state: ${st.path}` : "state: in memory";
  await refreshClock();
}
async function refreshClock() {
  const c = await api("/clock");
  $("#clock").textContent = `clock ${fmtTime(c.now_iso)}${c.frozen ? " (frozen)" : ""}`;
  return c;
}
$("#corp").addEventListener("change", (e) => { ui.corpid = e.target.value; show(ui.tab); });
$("#reset").addEventListener("click", async () => {
  if (!confirm("Reset the sandbox to the fixtures? Everything created since is lost.")) return;
  await api("/reset", { method: "POST" });
  ui.msgs.clear();
  toast("reset to the fixtures");
  show(ui.tab);
});

// ---------------------------------------------------------------------------------------
// Company
// ---------------------------------------------------------------------------------------
// Big corps (10,000 members, 50,000 customers) come a page at a time.
const PAGE = 100;
const memberRow = (u) => `<tr><td><code>${esc(u.userid)}</code></td><td>${esc(u.name)}</td>
      <td>${esc(u.department.join(","))}</td><td>${esc(u.position)}</td><td>${esc(u.mobile)}</td><td>${u.status}</td></tr>`;
const customerRow = (x) => `<tr><td><code>${esc(x.external_userid)}</code></td><td>${esc(x.name)}${x.corp_name ? ` <span class="muted">${esc(x.corp_name)}</span>` : ""}</td>
      <td>${x.follow_users.map((f) => `${esc(f.userid)}${f.remark ? ` (${esc(f.remark)})` : ""}${f.tags.length ? " " + f.tags.map((t) => `<span class="badge">${esc(t)}</span>`).join(" ") : ""}`).join("<br>")}</td></tr>`;
const shownOf = (n, total) => `${total}${total > n ? `, ${n} shown` : ""}`;

// "Show more" under a long table: the next page from ``path``, appended.
function pager(id, path, key, row, shown, total) {
  const btn = $(`#${id}-more`), head = $(`#${id}-count`), table = $(`#${id}`);
  let n = shown;
  const sync = () => { head.textContent = shownOf(n, total); btn.hidden = n >= total; };
  sync();
  btn.addEventListener("click", async () => {
    const page = await api(path + q({ corpid: ui.corpid, offset: n, limit: PAGE }));
    table.insertAdjacentHTML("beforeend", page[key].map(row).join(""));
    n += page[key].length;
    if (!page[key].length) n = total;
    sync();
  });
}

async function company() {
  const c = await api("/company" + q({ corpid: ui.corpid, limit: PAGE }));
  const base = location.origin;
  const secrets = Object.entries(c.secrets).map(([scope, s]) =>
    `<tr><td>${esc(scope)}</td><td class="secret"><code>${esc(s)}</code>${copyBtn(s, scope + " secret")}</td></tr>`).join("");
  const agents = c.agents.map((a) => `<tr><td>${a.agentid} ${copyBtn(a.agentid, "agentid")}</td><td>${esc(a.name)}</td>
      <td class="secret"><code>${esc(a.secret)}</code>${copyBtn(a.secret, a.name + " secret")}</td>
      <td>${esc((a.permissions || []).join(", "))}</td></tr>`).join("");
  const robots = c.robots.map((r) => {
    const url = `${base}/cgi-bin/webhook/send?key=${r.key}`;
    return `<tr><td>${esc(r.name)}</td><td class="secret"><code>${esc(r.key)}</code>${copyBtn(r.key, "robot key")}</td>
      <td>${copyBtn(url, "webhook URL")}</td></tr>`;
  }).join("");
  const tree = c.departments.map((d) => `<div style="padding-left:${(d.depth - 1) * 18}px">
      <b>${esc(d.name)}</b> <span class="muted">#${d.id}</span>
      <span class="members">${d.members.length ? "— " + esc(d.members.join(", ")) : ""}${d.member_count > d.members.length ? ` <span class="muted">… ${d.member_count} in all</span>` : ""}</span></div>`).join("");
  const tags = c.tags.map((t) => `<tr><td>${t.tagid}</td><td>${esc(t.tagname)}</td>
      <td>${esc(t.users.join(", "))}</td><td>${esc(t.parties.join(", "))}</td></tr>`).join("");
  const members = c.members.map(memberRow).join("");
  const ext = c.external;
  const customers = ext.customers.map(customerRow).join("");
  const chats = ext.groupchats.map((g) => `<tr><td><code>${esc(g.chat_id)}</code></td><td>${esc(g.name)}</td><td>${esc(g.owner)}</td><td>${g.members}</td><td>${g.dismissed ? "dismissed" : ""}</td></tr>`).join("");
  const tagGroups = ext.tag_groups.map((g) => `<div><b>${esc(g.group_name)}</b>: ${g.tags.map((t) => `<span class="badge">${esc(t)}</span>`).join(" ")}</div>`).join("");
  view.innerHTML = `
  <h2>${esc(c.name)} <span class="muted">${esc(c.corpid)}</span> ${copyBtn(c.corpid, "corpid")}</h2>
  <p class="muted">API base: <code>${base}/cgi-bin</code> ${copyBtn(base + "/cgi-bin", "API base")}</p>
  <div class="grid">
    <section class="card"><h3>Apps (agents)</h3><table><tr><th>agentid</th><th>name</th><th>secret</th><th>permissions</th></tr>${agents}</table>
      <h3>System secrets</h3><table>${secrets}</table></section>
    <section class="card"><h3>Group robots</h3><table><tr><th>name</th><th>key</th><th>webhook</th></tr>${robots || '<tr><td class="muted">none</td></tr>'}</table>
      <h3>Tags</h3><table><tr><th>id</th><th>name</th><th>members</th><th>departments</th></tr>${tags}</table></section>
    <section class="card tree"><h3>Departments and members</h3>${tree}</section>
    <section class="card"><h3>Members (<span id="members-count"></span>)</h3>
      <table id="members"><tr><th>userid</th><th>name</th><th>dept</th><th>position</th><th>mobile</th><th>status</th></tr>${members}</table>
      <button id="members-more">Show more</button></section>
    <section class="card"><h3>Customers (<span id="customers-count"></span>)</h3>
      <table id="customers"><tr><th>external_userid</th><th>name</th><th>follow users (remark, tags)</th></tr>${customers}</table>
      <button id="customers-more">Show more</button></section>
    <section class="card"><h3>Customer tags</h3>${tagGroups || '<span class="muted">none</span>'}
      <h3>Customer groups</h3><table><tr><th>chat_id</th><th>name</th><th>owner</th><th>members</th><th></th></tr>${chats}</table></section>
  </div>`;
  pager("members", "/contacts/members", "members", memberRow, c.members.length, c.total);
  pager("customers", "/external/overview", "customers", customerRow, ext.customers.length, ext.total);
}

// ---------------------------------------------------------------------------------------
// Inbox (polls /__admin/messages while shown)
// ---------------------------------------------------------------------------------------
const convKey = (m) => (m.kind === "app" ? `member:${m.to}` : m.kind === "robot" ? `robot:${m.robot}` : `chat:${m.chat}`);
const convName = (k) => {
  const [kind, id] = k.split(/:(.*)/s);
  return kind === "member" ? `member ${id}` : kind === "robot" ? `robot ${id.slice(0, 12)}…` : `app chat ${id}`;
};
async function pollMessages() {
  const data = await api("/messages" + q({ corpid: ui.corpid }));
  let added = 0;
  const seen = new Set();
  for (const m of data.messages) {
    const key = `${m.seq}`;
    seen.add(key);
    const old = ui.msgs.get(key);
    if (!old || old.recalled !== m.recalled || old.updated !== m.updated) { ui.msgs.set(key, m); added++; }
  }
  for (const k of [...ui.msgs.keys()]) if (!seen.has(k)) { ui.msgs.delete(k); added++; }
  return added;
}
function drawInbox() {
  const convs = new Map();
  for (const m of ui.msgs.values()) {
    const k = convKey(m);
    if (!convs.has(k)) convs.set(k, []);
    convs.get(k).push(m);
  }
  const keys = [...convs.keys()].sort((a, b) => {
    const la = convs.get(a).at(-1).seq, lb = convs.get(b).at(-1).seq;
    return lb - la;
  });
  if (!ui.inboxSel || !convs.has(ui.inboxSel)) ui.inboxSel = keys[0] || null;
  const list = keys.map((k) => `<button data-conv="${esc(k)}" aria-current="${k === ui.inboxSel}">
      ${esc(convName(k))}<span class="count badge">${convs.get(k).length}</span></button>`).join("");
  const msgs = (convs.get(ui.inboxSel) || []).sort((a, b) => a.seq - b.seq);
  const body = msgs.map((m) => `<div class="msg" data-seq="${m.seq}">
      <div class="meta">${fmtTime(m.time_iso, m.time)} · ${esc(m.msgtype)}${m.agentid ? ` · app ${m.agentid}` : ""}${m.recalled ? " · recalled" : ""}${m.updated ? " · updated" : ""}</div>
      ${renderMessage(m)}</div>`).join("");
  view.innerHTML = `<div class="inbox">
    <section class="card convs" aria-label="conversations">${list || '<p class="muted" style="padding:10px">No messages yet. Send one through the API: it shows up here without a reload.</p>'}</section>
    <section class="card chat" id="chat" aria-label="messages">${body}</section></div>`;
  view.querySelectorAll("[data-conv]").forEach((b) => b.addEventListener("click", () => { ui.inboxSel = b.dataset.conv; drawInbox(); }));
  const chat = $("#chat");
  if (chat) chat.scrollTop = chat.scrollHeight;
}
async function inbox() {
  await pollMessages();
  drawInbox();
  ui.timer = setInterval(async () => {
    if (await pollMessages().catch(() => 0)) drawInbox();
  }, 1000);
}

// ---------------------------------------------------------------------------------------
// Act as someone
// ---------------------------------------------------------------------------------------
const SP_STATUS = { 1: "审批中 pending", 2: "已通过 approved", 3: "已驳回 rejected", 4: "已撤销 revoked", 6: "通过后撤销 revoked after approval", 7: "已删除 deleted", 10: "已支付 paid" };
async function lastDeliveryId() {
  const d = await api("/callbacks/deliveries" + q({ limit: 1 }));
  return d.deliveries.length ? d.deliveries.at(-1).id : 0;
}
async function showCaused(box, since) {
  // Deliveries are queued in server mode: look a few times for the ones this action caused.
  for (let i = 0; i < 10; i++) {
    const d = await api("/callbacks/deliveries");
    const rows = d.deliveries.filter((r) => r.id > since);
    if (rows.length && rows.every((r) => r.outcome !== "pending")) {
      box.innerHTML = `<h3>Callbacks this caused</h3>${deliveryTable(rows)}`;
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const cfg = await api("/callbacks/config" + q({ corpid: ui.corpid }));
  box.innerHTML = `<h3>Callbacks this caused</h3><p class="muted">No delivery${(cfg.apps || []).length ? "" : " (no callback URL is configured: PUT /__admin/callbacks/config)"}.</p>`;
}
async function act() {
  const [apps, company] = await Promise.all([api("/oa/approvals" + q({ corpid: ui.corpid })), api("/company" + q({ corpid: ui.corpid, limit: 500 }))]);
  const users = company.members.map((u) => u.userid);
  const userOpts = (sel) => users.map((u) => `<option ${u === sel ? "selected" : ""}>${esc(u)}</option>`).join("");
  const approvals = apps.approvals.map((a) => `<option value="${esc(a.sp_no)}">${esc(a.sp_no)} · ${esc(a.sp_name)} · ${esc(a.applyer.userid)} · ${esc(SP_STATUS[a.sp_status] || a.sp_status)}</option>`).join("");
  const agentOpts = company.agents.map((a) => `<option value="${a.agentid}">${a.agentid} ${esc(a.name)}</option>`).join("");
  view.innerHTML = `<div class="grid">
  <section class="card" id="approval-card"><h2>Approval (审批)</h2>
    <div class="row"><label>application <select id="sp">${approvals}</select></label></div>
    <div id="sp-detail"></div>
    <div class="row"><label>as <select id="approver"></select></label>
      <label>speech <input id="speech" placeholder="意见 (optional)"></label></div>
    <div class="row"><button class="primary" data-act="approve">Approve</button><button data-act="reject">Reject</button>
      <button data-act="revoke">Revoke (as applicant)</button><button data-act="comment">Comment</button></div>
    <div id="sp-caused"></div></section>
  <section class="card"><h2>A customer adds a member</h2>
    <div class="row"><label>member <select id="fu">${userOpts()}</select></label>
      <label>customer name <input id="cname" value="客户 王先生"></label></div>
    <div class="row"><button class="primary" id="follow-add">Add</button></div><div id="fu-caused"></div>
    <h2 style="margin-top:16px">A member messages the app</h2>
    <div class="row"><label>member <select id="mu">${userOpts()}</select></label><label>app <select id="ma">${agentOpts}</select></label></div>
    <div class="row"><label>text <input id="mtext" value="你好，我想查询报销进度" size="30"></label><button class="primary" id="msg-send">Send</button></div>
    <div class="row"><label>menu key <input id="mkey" value="MENU_REPORT"></label><button id="menu-click">Click menu</button></div>
    <div id="mu-caused"></div></section></div>`;
  const spSel = $("#sp");
  const drawDetail = async () => {
    if (!spSel.value) { $("#sp-detail").innerHTML = '<p class="muted">No applications yet: an app creates one with oa/applyevent.</p>'; return; }
    const { info } = await api(`/oa/approvals/${encodeURIComponent(spSel.value)}`);
    const pending = [];
    const steps = info.sp_record.map((lvl, i) => `<div>step ${i + 1} (${lvl.approverattr === 2 ? "and" : "or"}): ${lvl.details.map((d) => {
      if (d.sp_status === 1) pending.push(d.approver.userid);
      return `${esc(d.approver.userid)} <span class="badge">${esc(SP_STATUS[d.sp_status] || d.sp_status)}</span>`;
    }).join(" ")}</div>`).join("");
    $("#sp-detail").innerHTML = `<p><b>${esc(info.sp_name)}</b> by ${esc(info.applyer.userid)} — <span id="sp-status">${esc(SP_STATUS[info.sp_status] || info.sp_status)}</span></p>${steps}
      ${info.comments && info.comments.length ? `<div class="muted">${info.comments.length} comment(s)</div>` : ""}`;
    $("#approver").innerHTML = userOpts(pending[0] || info.applyer.userid);
    const opt = spSel.selectedOptions[0];
    if (opt) opt.textContent = `${info.sp_no} · ${info.sp_name} · ${info.applyer.userid} · ${SP_STATUS[info.sp_status] || info.sp_status}`;
  };
  spSel.addEventListener("change", drawDetail);
  await drawDetail();
  view.querySelectorAll("[data-act]").forEach((b) => b.addEventListener("click", async () => {
    const action = b.dataset.act;
    const since = await lastDeliveryId();
    const body = { corpid: ui.corpid, userid: $("#approver").value };
    if (action === "comment") body.content = $("#speech").value || "请补充材料";
    else body.speech = $("#speech").value;
    try {
      await api(`/oa/approvals/${encodeURIComponent(spSel.value)}/${action}`, { method: "POST", body });
      toast(`${action}: done`);
    } catch (e) { toast(e.message, true); return; }
    await drawDetail();
    await showCaused($("#sp-caused"), since);
  }));
  $("#follow-add").addEventListener("click", async () => {
    const since = await lastDeliveryId();
    try {
      const r = await api("/external/follow/add", { method: "POST", body: { corpid: ui.corpid, userid: $("#fu").value, customer: { name: $("#cname").value, type: 1 } } });
      toast(`added: ${r.external_userid || "ok"}`);
    } catch (e) { toast(e.message, true); return; }
    await showCaused($("#fu-caused"), since);
  });
  const member = async (path, extra) => {
    const since = await lastDeliveryId();
    try {
      await api(path, { method: "POST", body: { corpid: ui.corpid, agentid: Number($("#ma").value), userid: $("#mu").value, ...extra } });
      toast("sent");
    } catch (e) { toast(e.message, true); return; }
    await showCaused($("#mu-caused"), since);
  };
  $("#msg-send").addEventListener("click", () => member("/callbacks/sandbox/message", { content: $("#mtext").value }));
  $("#menu-click").addEventListener("click", () => member("/callbacks/sandbox/event", { event: "click", event_key: $("#mkey").value }));
}

// ---------------------------------------------------------------------------------------
// Journal
// ---------------------------------------------------------------------------------------
async function journal() {
  view.innerHTML = `<div class="card"><form class="row" id="jf">
    <label>path <input name="path" placeholder="/cgi-bin/user/get"></label>
    <label>errcode <input name="errcode" size="7"></label>
    <label>method <select name="method"><option></option><option>GET</option><option>POST</option></select></label>
    <label>last <select name="limit"><option>50</option><option selected>200</option><option>1000</option></select></label>
    <button class="primary">Filter</button><button type="button" id="jclear">Clear journal</button></form>
    <div id="jt"></div></div>`;
  const draw = async () => {
    const f = new FormData($("#jf"));
    const data = await api("/journal" + q(Object.fromEntries(f.entries())));
    const rows = data.entries.slice().reverse().map((e, i) => `<tr class="clickable" tabindex="0" data-i="${i}">
      <td>${fmtTime(e.time_iso, e.time)}</td><td>${esc(e.method)}</td><td><code>${esc(e.path)}</code></td>
      <td>${statusBadge(e.errcode)}</td><td class="muted">${esc(e.errmsg || "")}</td><td>${e.duration_ms} ms</td>
      <td>${e.fault ? `<span class="badge warn">fault ${esc(e.fault.id || "")}</span>` : ""}</td></tr>`).join("");
    $("#jt").innerHTML = `<table><tr><th>time</th><th>method</th><th>path</th><th>errcode</th><th>errmsg</th><th>duration</th><th>fault</th></tr>${rows ||
      '<tr><td colspan="7" class="muted">no calls yet</td></tr>'}</table>`;
    const entries = data.entries.slice().reverse();
    $("#jt").querySelectorAll("tr.clickable").forEach((tr) => {
      const open = () => {
        const next = tr.nextElementSibling;
        if (next && next.classList.contains("detail")) { next.remove(); return; }
        const e = entries[Number(tr.dataset.i)];
        const d = document.createElement("tr");
        d.className = "detail";
        d.innerHTML = `<td colspan="7"><div class="grid"><div><h3>request</h3><pre>${esc(JSON.stringify({ query: e.query, body: e.body }, null, 2))}</pre></div>
          <div><h3>answer</h3><pre>${esc(JSON.stringify(e.response ?? { errcode: e.errcode, errmsg: e.errmsg }, null, 2))}</pre>
          ${e.fault ? `<h3>fault</h3><pre>${esc(JSON.stringify(e.fault, null, 2))}</pre>` : ""}</div></div></td>`;
        tr.after(d);
      };
      tr.addEventListener("click", (ev) => { if (!ev.target.closest(".errlink")) open(); });
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
    });
  };
  $("#jf").addEventListener("submit", (e) => { e.preventDefault(); draw(); });
  $("#jclear").addEventListener("click", async () => { await api("/journal", { method: "DELETE" }); draw(); });
  await draw();
  ui.timer = setInterval(() => { if (!document.querySelector("#jt .detail")) draw().catch(() => {}); }, 3000);
}

// ---------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------
function deliveryTable(rows) {
  const body = rows.slice().reverse().map((r) => {
    const last = r.attempts.at(-1) || {};
    const cls = r.outcome === "delivered" ? "ok" : r.outcome === "pending" ? "warn" : "bad";
    return `<tr class="clickable delivery" tabindex="0" data-id="${r.id}"><td>${r.id}</td><td>${fmtTime(r.time_iso, r.time)}</td><td>${esc(r.app)}</td>
      <td>${esc(r.event)}${r.change_type ? " / " + esc(r.change_type) : ""}</td><td><span class="badge ${cls}">${esc(r.outcome)}</span></td>
      <td>${r.attempts.length}</td><td>${last.status ?? ""}</td><td>${last.latency_ms ?? ""}${last.latency_ms !== undefined ? " ms" : ""}</td></tr>
      <tr class="detail" hidden><td colspan="8"><div class="grid"><div><h3>decrypted payload</h3><pre>${esc(r.plaintext || "")}</pre></div>
      <div><h3>the app's reply</h3><pre>${esc(r.reply ? JSON.stringify(r.reply, null, 2) : "(none)")}</pre>
      <h3>attempts</h3><pre>${esc(JSON.stringify(r.attempts, null, 2))}</pre></div></div></td></tr>`;
  }).join("");
  return `<table class="deliveries"><tr><th>#</th><th>time</th><th>app</th><th>event</th><th>status</th><th>attempts</th><th>HTTP</th><th>latency</th></tr>${body ||
    '<tr><td colspan="8" class="muted">no deliveries yet</td></tr>'}</table>`;
}
view.addEventListener("click", (ev) => {
  const tr = ev.target.closest("tr.delivery");
  if (tr) tr.nextElementSibling.hidden = !tr.nextElementSibling.hidden;
});
view.addEventListener("keydown", (ev) => {
  const tr = ev.target.closest("tr.delivery");
  if (tr && ev.key === "Enter") tr.nextElementSibling.hidden = !tr.nextElementSibling.hidden;
});
async function callbacks() {
  const draw = async () => {
    const [cfg, d] = await Promise.all([api("/callbacks/config" + q({ corpid: ui.corpid })), api("/callbacks/deliveries" + q({ corpid: ui.corpid }))]);
    const cfgRows = (cfg.apps || []).map((c) => `<tr><td>${esc(c.app)}${c.agentid ? ` <span class="muted">${c.agentid}</span>` : ""}</td><td><code>${esc(c.url)}</code></td><td><code>${esc(c.token)}</code></td><td><code>${esc(c.encoding_aes_key)}</code></td></tr>`).join("");
    const open = new Set([...view.querySelectorAll("tr.delivery")].filter((t) => !t.nextElementSibling.hidden).map((t) => t.dataset.id));
    view.innerHTML = `<div class="card"><h2>Receivers</h2><table><tr><th>app</th><th>URL</th><th>Token</th><th>EncodingAESKey</th></tr>${cfgRows ||
      '<tr><td colspan="4" class="muted">no callback URL configured (PUT /__admin/callbacks/config)</td></tr>'}</table>
      <h2 style="margin-top:14px">Deliveries <span class="muted">(${d.deliveries.length}, queued ${d.queued}, dropped ${d.dropped})</span></h2>${deliveryTable(d.deliveries)}</div>`;
    view.querySelectorAll("tr.delivery").forEach((t) => { if (open.has(t.dataset.id)) t.nextElementSibling.hidden = false; });
  };
  await draw();
  ui.timer = setInterval(() => draw().catch(() => {}), 2000);
}

// ---------------------------------------------------------------------------------------
// Faults and clock
// ---------------------------------------------------------------------------------------
async function faults() {
  const [list, tpl, clock] = await Promise.all([api("/faults"), api("/fault-templates"), refreshClock()]);
  const rows = list.faults.map((f) => `<tr><td><code>${esc(f.id)}</code></td><td><code>${esc(f.path)}</code></td>
      <td>${esc(f.kind || "")}${f.errcode !== undefined ? " " + statusBadge(f.errcode) : ""}${f.times ? ` <span class="muted">×${f.times}</span>` : ""}</td><td>${f.seen ?? ""}</td><td>${f.triggered ?? ""}</td><td>${f.expired ? "expired" : "active"}</td>
      <td><button class="small danger" data-remove="${esc(f.id)}">remove</button></td></tr>`).join("");
  const templates = tpl.templates.map((t, i) => `<tr><td><b>${esc(t.name)}</b><div class="muted">${esc(t.help)}</div></td>
      <td><code>${esc(JSON.stringify(t.spec))}</code></td><td><button class="primary small" data-template="${i}">Add</button></td></tr>`).join("");
  view.innerHTML = `<div class="grid">
    <section class="card"><h2>Active fault rules</h2><table><tr><th>id</th><th>path</th><th>action</th><th>seen</th><th>triggered</th><th></th><th></th></tr>${rows ||
      '<tr><td colspan="7" class="muted">none: every call is answered normally</td></tr>'}</table>
      <h2 style="margin-top:14px">Add from a template</h2>
      <div class="row"><label>path <input id="fpath" value="*" title="an API path such as user/get, or a glob"></label></div>
      <table>${templates}</table></section>
    <section class="card"><h2>Clock</h2><p>now <b id="now">${fmtTime(clock.now_iso)}</b> <span class="muted">(${clock.now.toFixed(0)})</span>${clock.frozen ? " frozen" : ""}</p>
      <div class="row"><button data-adv="60">+1 min</button><button data-adv="3600">+1 h</button><button data-adv="7200" title="access_tokens live 7200 s">+2 h (tokens expire)</button><button data-adv="86400">+1 day</button></div>
      <div class="row"><label>seconds <input id="advs" type="number" min="0" value="300"></label><button id="adv">Advance</button></div></section></div>`;
  view.querySelectorAll("[data-remove]").forEach((b) => b.addEventListener("click", async () => {
    await api(`/faults/${encodeURIComponent(b.dataset.remove)}`, { method: "DELETE" });
    toast("removed"); faults();
  }));
  view.querySelectorAll("[data-template]").forEach((b) => b.addEventListener("click", async () => {
    const spec = { ...tpl.templates[Number(b.dataset.template)].spec, path: $("#fpath").value || "*" };
    try { const r = await api("/faults", { method: "POST", body: spec }); toast(`fault ${r.faults[0].id} added`); } catch (e) { toast(e.message, true); }
    faults();
  }));
  const advance = async (s) => { await api("/clock/advance", { method: "POST", body: { seconds: s } }); toast(`clock +${s} s`); faults(); };
  view.querySelectorAll("[data-adv]").forEach((b) => b.addEventListener("click", () => advance(Number(b.dataset.adv))));
  $("#adv").addEventListener("click", () => advance(Number($("#advs").value)));
}

// ---------------------------------------------------------------------------------------
const VIEWS = { company, inbox, act, journal, callbacks, faults };
async function show(tab) {
  clearInterval(ui.timer);
  ui.tab = tab;
  document.querySelectorAll("#tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === tab)));
  if (location.hash !== "#" + tab) history.replaceState(null, "", "#" + tab);
  try {
    await VIEWS[tab]();
    document.body.dataset.ready = tab;
  } catch (e) {
    view.innerHTML = `<div class="card bad">${esc(e.message)}</div>`;
  }
}
document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
$("#tabs").addEventListener("keydown", (ev) => {
  const tabs = [...document.querySelectorAll("#tabs button")];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
    const next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus(); show(next.dataset.view);
  }
});
document.addEventListener("keydown", (ev) => {
  if (ev.target.matches("input, textarea, select") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const n = Number(ev.key);
  if (n >= 1 && n <= 6) show(Object.keys(VIEWS)[n - 1]);
});
setInterval(() => refreshClock().catch(() => {}), 5000);
await header();
window.addEventListener("hashchange", () => {
  const tab = location.hash.slice(1);
  if (tab in VIEWS && tab !== ui.tab) show(tab);
});
const first = location.hash.slice(1);
await show(first in VIEWS ? first : "company");
performance.mark("wecom-mock-first-view");
