// @ts-check
// Webhooks: the endpoints the shop posts its events to, with their health and latest answer; a
// form to add one; per endpoint enable/disable, edit, rotate secret, send a test and delete; and
// one endpoint's recent deliveries (attempt logs, Redeliver), re-read while some are pending.
// A signing secret is in one answer only (create, rotate), so it is shown there, once.

import { api, messageOf } from "./api.js";
import { confirmDialog, fill, formDialog, grid, h, hashQuery, setHashQuery, statusBadge, toast, when } from "./dom.js";
import { pagedList } from "./list.js";
import { editDialog, endpointForm, secretBox } from "./webhook-form.js";

/** @import { CreatedWebhook, DeliveryAttempt, Page, RotatedSecret, WebhookDelivery, WebhookEndpoint } from "./types.js" */

const STATUSES = ["pending", "delivered", "failed"];
const PAGE_SIZE = 20;
// Pending deliveries are re-read this often, this many times (retries can be hours apart).
const POLL_MS = 2000;
const POLLS = 30;

/** @param {HTMLElement} root */
export default function webhooks(root) {
  const q = hashQuery();
  const state = { page: Number(q.page) || 1 };
  const chosen = { endpoint: q.endpoint ?? "", status: STATUSES.includes(q.status) ? q.status : "", page: 1 };
  let disposed = false;
  /** @type {number | undefined} */
  let poll;
  let polls = 0;
  const secretSlot = h("div", { class: "secret-slot" });
  const results = h("div", { class: "results" });
  const deliveries = h("section", { class: "deliveries", "aria-labelledby": "wd-title", hidden: !chosen.endpoint });
  const form = endpointForm({
    prefix: "w",
    submitLabel: "Add endpoint",
    submit: async (body) => {
      const created = /** @type {CreatedWebhook} */ (await api("/api/admin/webhooks/", { method: "POST", body }));
      showSecret(`Endpoint added: ${created.url}`, created.secret);
      load();
    },
  });

  fill(
    root,
    h(
      "div",
      { class: "heading" },
      h("h1", { tabindex: -1, text: "Webhooks" }),
      h("p", {
        class: "muted small",
        text: "The shop posts these events, signed, to each endpoint that asks for them.",
      }),
    ),
    secretSlot,
    h("details", { class: "panel", open: true }, h("summary", { text: "Add an endpoint" }), form.element),
    results,
    deliveries,
  );

  /** Remembers the list's page and the endpoint whose deliveries are open, for a reload. */
  const remember = () =>
    setHashQuery("/webhooks", { page: state.page, endpoint: chosen.endpoint, status: chosen.status });

  const list = pagedList({
    results,
    state,
    pageSize: PAGE_SIZE,
    loadingText: "Loading endpoints",
    emptyText: "No endpoints yet: add one above.",
    noun: "endpoints",
    read: () => {
      remember();
      return /** @type {Promise<Page<WebhookEndpoint>>} */ (
        api("/api/admin/webhooks/", { query: { page: state.page, page_size: PAGE_SIZE } })
      );
    },
    table: (rows) =>
      grid({
        class: "grid webhooks",
        headings: ["Endpoint", "Events", "State", "Deliveries", "Last status", ""],
        rows: rows.map(row),
      }),
  });
  const load = list.load;

  /** @param {WebhookEndpoint} e */
  function row(e) {
    const open = String(e.id) === chosen.endpoint;
    return h(
      "tr",
      { "data-id": e.id, class: open ? "selected" : null },
      h(
        "th",
        { scope: "row" },
        h("span", { class: "hook-url", text: e.url }),
        e.description ? h("div", { class: "muted small", text: e.description }) : null,
      ),
      h(
        "td",
        { "data-label": "Events" },
        h(
          "ul",
          { class: "hook-events" },
          e.events.map((t) => h("li", { text: t })),
        ),
      ),
      h("td", { "data-label": "State" }, stateOf(e)),
      h(
        "td",
        { "data-label": "Deliveries", class: "hook-health" },
        `${e.health.delivered} delivered · ${e.health.failed} failed · ${e.health.pending} pending`,
      ),
      h("td", { "data-label": "Last status" }, lastAnswer(e.health.last_status_code, e.health.last_attempt_at)),
      h(
        "td",
        { class: "actions" },
        h(
          "div",
          { class: "hook-actions", role: "group", "aria-label": `Actions for ${e.url}` },
          h("button", {
            type: "button",
            "aria-pressed": String(open),
            onclick: () => openDeliveries(e, true),
            text: "Deliveries",
          }),
          h("button", { type: "button", onclick: () => sendTest(e), text: "Send test" }),
          h("button", { type: "button", onclick: () => edit(e), text: "Edit" }),
          h("button", { type: "button", onclick: () => toggle(e), text: e.is_active ? "Disable" : "Enable" }),
          h("button", { type: "button", onclick: () => rotate(e), text: "Rotate secret" }),
          h("button", { type: "button", class: "danger", onclick: () => remove(e), text: "Delete" }),
        ),
      ),
    );
  }

  /** @param {string} title @param {string} secret @param {string} [note] */
  function showSecret(title, secret, note) {
    fill(
      secretSlot,
      secretBox(title, secret, note, () => fill(secretSlot)),
    );
    const input = /** @type {HTMLInputElement} */ (secretSlot.querySelector("input"));
    input.focus();
    input.select();
  }

  /** Runs a row's action; the API's refusal is a notice, then the list is read again. @param {() => Promise<string>} action */
  async function act(action) {
    try {
      toast(await action(), "ok");
    } catch (error) {
      toast(messageOf(error), "error");
    }
    load();
  }

  /** @param {WebhookEndpoint} e */
  const toggle = (e) =>
    act(async () => {
      await api(`/api/admin/webhooks/${e.id}/`, { method: "PATCH", body: { is_active: !e.is_active } });
      return `${e.is_active ? "Disabled" : "Enabled"} ${e.url}`;
    });

  /** @param {WebhookEndpoint} e */
  const sendTest = (e) =>
    act(async () => {
      await api(`/api/admin/webhooks/${e.id}/test/`, { method: "POST" });
      openDeliveries(e);
      return `A webhook.test event is on its way to ${e.url}`;
    });

  /** @param {WebhookEndpoint} e */
  async function remove(e) {
    const message = `Delete the endpoint ${e.url}? It gets no more events, and its deliveries go with it.`;
    if (!(await confirmDialog(message, "Delete", true))) return;
    if (chosen.endpoint === String(e.id)) closeDeliveries();
    fill(secretSlot);
    act(async () => {
      await api(`/api/admin/webhooks/${e.id}/`, { method: "DELETE" });
      return `Deleted ${e.url}`;
    });
  }

  /** @param {WebhookEndpoint} e */
  async function edit(e) {
    const saved = await editDialog(e);
    if (saved) {
      toast(`Saved ${saved.url}`, "ok");
      load();
    }
  }

  /** @param {WebhookEndpoint} e */
  async function rotate(e) {
    const rotated = await formDialog({
      title: `Rotate the secret of ${e.url}`,
      submitLabel: "Rotate secret",
      fields: [
        {
          name: "grace_seconds",
          label: "The current secret keeps signing for",
          type: "select",
          value: 86400,
          options: [
            [0, "No time: it stops at once"],
            [3600, "1 hour"],
            [86400, "24 hours"],
            [604800, "7 days"],
          ],
        },
      ],
      submit: (values) =>
        /** @type {Promise<RotatedSecret>} */ (
          api(`/api/admin/webhooks/${e.id}/rotate-secret/`, {
            method: "POST",
            body: { grace_seconds: Number(values.grace_seconds) },
          })
        ),
    });
    if (!rotated) return;
    const until = rotated.previous_secret_expires_at;
    const note = until
      ? `Deliveries are signed with both secrets until ${when(until)}.`
      : "The old secret no longer signs.";
    showSecret(`New secret for ${e.url}`, rotated.secret, note);
    load();
  }

  // Deliveries of the endpoint chosen with its Deliveries button (or in the hash).
  const deliveryList = h("div", { class: "results", "aria-live": "polite" });
  const deliveriesTitle = h("h2", { id: "wd-title", tabindex: -1, text: "Deliveries" });
  const statusSelect = h(
    "select",
    { id: "wd-status", onchange: () => filter(statusSelect.value) },
    [["", "Any status"], ...STATUSES.map((s) => [s, s])].map(([value, label]) =>
      h("option", { value, selected: value === chosen.status, text: label }),
    ),
  );
  fill(
    deliveries,
    h(
      "div",
      { class: "heading" },
      deliveriesTitle,
      h("button", { type: "button", onclick: () => closeDeliveries(), text: "Close" }),
    ),
    h(
      "form",
      { class: "toolbar", role: "search", "aria-label": "Filter deliveries", onsubmit: (e) => e.preventDefault() },
      h("div", { class: "field" }, h("label", { for: "wd-status", text: "Status" }), statusSelect),
      h(
        "div",
        { class: "field end" },
        h("button", { type: "button", onclick: () => loadDeliveries(), text: "Refresh" }),
      ),
    ),
    deliveryList,
  );
  /** Logs open stay open, and focus stays put, when the list is read again. */
  const opened = new Set();
  /** @type {string | undefined} */
  let focused;
  let anyPending = false;
  const deliveryPages = pagedList({
    results: deliveryList,
    state: chosen,
    pageSize: PAGE_SIZE,
    loadingText: "Loading deliveries",
    emptyText: "No deliveries yet.",
    // The pager makes "deliveries" singular by dropping its "s".
    noun: "events",
    read: () => {
      remember();
      clearTimeout(poll);
      focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.focus;
      return /** @type {Promise<Page<WebhookDelivery>>} */ (
        api(`/api/admin/webhooks/${chosen.endpoint}/deliveries/`, {
          query: { page: chosen.page, page_size: PAGE_SIZE, status: chosen.status },
        })
      );
    },
    table: (rows) => {
      const before = anyPending;
      anyPending = rows.some((d) => d.status === "pending");
      // A pending delivery settled: the endpoint's health figures moved too.
      if (before && !anyPending) load();
      return grid({
        class: "grid deliveries-table",
        headings: ["Event", "Status", "Attempts", "Last status", "Error", "Next retry", ""],
        rows: rows.map(deliveryRow),
      });
    },
    shown: () => {
      if (focused) /** @type {HTMLElement | null} */ (deliveryList.querySelector(`[data-focus="${focused}"]`))?.focus();
      if (anyPending && polls++ < POLLS && !disposed) poll = setTimeout(() => loadDeliveries(false), POLL_MS);
    },
  });

  /** @param {WebhookDelivery} d */
  function deliveryRow(d) {
    const log = d.log.length
      ? h(
          "details",
          {
            class: "attempt-log",
            open: opened.has(d.id),
            ontoggle: (e) => {
              if (/** @type {HTMLDetailsElement} */ (e.target).open) opened.add(d.id);
              else opened.delete(d.id);
            },
          },
          h("summary", {
            "data-focus": `log-${d.id}`,
            text: `${d.attempts} ${d.attempts === 1 ? "attempt" : "attempts"}`,
          }),
          h("ol", {}, d.log.map(attempt)),
        )
      : String(d.attempts);
    return h(
      "tr",
      { "data-id": d.id },
      h("th", { scope: "row" }, d.event_type, h("div", { class: "muted small", text: d.event_id })),
      h("td", { "data-label": "Status" }, statusBadge(d.status)),
      h("td", { "data-label": "Attempts" }, log),
      h("td", { "data-label": "Last status" }, d.last ? lastAnswer(d.last.status_code, d.last.at) : "—"),
      h("td", { "data-label": "Error", class: "hook-error", text: d.last?.error ?? "—" }),
      h("td", { "data-label": "Next retry", text: d.status === "pending" ? when(d.next_attempt_at) : "—" }),
      h(
        "td",
        { class: "actions" },
        h("button", {
          type: "button",
          "data-focus": `redeliver-${d.id}`,
          onclick: () => redeliver(d),
          text: "Redeliver",
        }),
      ),
    );
  }

  /** @param {WebhookDelivery} d */
  async function redeliver(d) {
    try {
      await api(`/api/admin/webhooks/${chosen.endpoint}/deliveries/${d.id}/redeliver/`, { method: "POST" });
      toast(`${d.event_type} is queued again`, "ok");
    } catch (error) {
      toast(messageOf(error), "error");
    }
    loadDeliveries();
  }

  /** Reads the deliveries again; `fresh` (a person asked) restarts the polling's count. */
  function loadDeliveries(fresh = true) {
    if (fresh) polls = 0;
    return deliveryPages.load();
  }

  /**
   * @param {WebhookEndpoint} e
   * @param {boolean} [focus] asked for with its button: keyboard users land on the list's heading
   */
  function openDeliveries(e, focus = false) {
    const again = chosen.endpoint === String(e.id);
    Object.assign(chosen, { endpoint: String(e.id), page: again ? chosen.page : 1 });
    deliveriesTitle.textContent = `Deliveries to ${e.url}`;
    deliveries.hidden = false;
    for (const tr of results.querySelectorAll("tbody tr")) {
      const mine = tr.getAttribute("data-id") === chosen.endpoint;
      tr.classList.toggle("selected", mine);
      tr.querySelector("[aria-pressed]")?.setAttribute("aria-pressed", String(mine));
    }
    if (!again) fill(deliveryList);
    loadDeliveries();
    if (focus) deliveriesTitle.focus();
    else deliveries.scrollIntoView({ block: "nearest" });
  }

  function closeDeliveries() {
    clearTimeout(poll);
    Object.assign(chosen, { endpoint: "", page: 1 });
    deliveries.hidden = true;
    fill(deliveryList);
    remember();
    for (const tr of results.querySelectorAll("tbody tr.selected")) tr.classList.remove("selected");
    for (const b of results.querySelectorAll("[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
  }

  /** @param {string} status */
  function filter(status) {
    Object.assign(chosen, { status, page: 1 });
    loadDeliveries();
  }

  /** The hash named an endpoint: its URL for the heading, or no panel once it is gone. */
  async function reopen() {
    try {
      const e = /** @type {WebhookEndpoint} */ (await api(`/api/admin/webhooks/${chosen.endpoint}/`));
      if (!disposed) openDeliveries(e);
    } catch {
      if (!disposed) closeDeliveries();
    }
  }

  function resync() {
    load();
    if (chosen.endpoint) loadDeliveries();
  }

  load();
  if (chosen.endpoint) reopen();
  return {
    dispose() {
      disposed = true;
      clearTimeout(poll);
      list.dispose();
      deliveryPages.dispose();
    },
    resync,
    onNotice: resync,
  };
}

/** "Active", or "Disabled" with the API's reason; how long it has been failing. @param {WebhookEndpoint} e */
function stateOf(e) {
  return [
    h("span", {
      class: `badge ${e.is_active ? "hook-active" : "hook-disabled"}`,
      text: e.is_active ? "Active" : "Disabled",
    }),
    !e.is_active && e.disabled_reason ? h("div", { class: "small hook-reason", text: e.disabled_reason }) : null,
    e.failing_since ? h("div", { class: "small muted", text: `Failing since ${when(e.failing_since)}` }) : null,
    e.previous_secret_expires_at
      ? h("div", { class: "small muted", text: `Old secret signs until ${when(e.previous_secret_expires_at)}` })
      : null,
  ];
}

/** The status code an attempt got ("no answer" for a timeout or a refused connection), and when. */
function lastAnswer(/** @type {number | null} */ code, /** @type {string | null} */ at) {
  if (!at) return "—";
  const ok = code !== null && code >= 200 && code < 300;
  return [
    h("span", { class: `badge ${ok ? "hook-active" : "hook-disabled"}`, text: code ?? "no answer" }),
    h("div", { class: "small muted", text: when(at) }),
  ];
}

/** @param {DeliveryAttempt} a */
function attempt(a) {
  const parts = [a.status_code ?? "no answer", `${a.duration_ms} ms`, a.error, when(a.at)];
  return h("li", { text: parts.filter((p) => p !== null && p !== "").join(" · ") });
}
