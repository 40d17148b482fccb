// @ts-check
// One order: lines, totals, shipping, customer, status history, and buttons for the allowed moves.

import { api, messageOf } from "./api.js";
import { confirmDialog, errorBox, fill, grid, h, loading, money, statusBadge, toast, when } from "./dom.js";

/** @import { FeedEvent, Order, OrderChanged, OrderStatus } from "./types.js" */

/** @type {Partial<Record<OrderStatus, string>>} */
const VERBS = { processing: "Mark processing", shipped: "Mark shipped", delivered: "Mark delivered" };

/**
 * @param {HTMLElement} root
 * @param {string} idText the id from the route
 */
export default function order(root, idText) {
  const id = Number(idText);
  let disposed = false;
  let busy = false;
  const notice = h("div", { class: "notice-slot" });

  async function load(first = false) {
    if (first) fill(root, h("h1", { tabindex: -1, text: `Order #${id}` }), loading("Loading the order"));
    try {
      const o = /** @type {Order} */ (await api(`/api/admin/orders/${id}/`));
      if (!disposed) render(o);
    } catch (error) {
      if (!disposed)
        fill(
          root,
          h("h1", { tabindex: -1, text: `Order #${id}` }),
          errorBox(error, () => load(true)),
        );
    }
  }

  /** @param {Order} o */
  function render(o) {
    const active = document.activeElement;
    const hadFocus = active instanceof HTMLElement && root.contains(active) ? active.dataset.focusKey : null;
    const moves = o.next_statuses.filter((s) => s !== "cancelled");
    const actions = h(
      "div",
      { class: "order-actions", role: "group", "aria-label": "Change status" },
      moves.map((s) =>
        h("button", {
          type: "button",
          class: "primary",
          "data-focus-key": s,
          onclick: () => move(s),
          text: VERBS[s] ?? `Mark ${s}`,
        }),
      ),
      o.next_statuses.includes("cancelled")
        ? h("button", {
            type: "button",
            class: "danger",
            "data-focus-key": "cancel",
            onclick: cancel,
            text: "Cancel order",
          })
        : null,
      o.next_statuses.length
        ? null
        : h("span", { class: "muted", text: `No further changes: the order is ${o.status}.` }),
    );
    fill(
      root,
      h("p", { class: "crumbs" }, h("a", { href: "#/orders", text: "← All orders" })),
      h("div", { class: "heading" }, h("h1", { tabindex: -1 }, `Order #${o.id} `, statusBadge(o.status))),
      notice,
      actions,
      h(
        "div",
        { class: "cards" },
        h(
          "section",
          { class: "card", "aria-labelledby": "o-customer" },
          h("h2", { id: "o-customer", text: "Customer" }),
          h("p", {}, h("a", { href: `#/customers/${o.user}`, text: o.user_name })),
          h("p", { class: "muted", text: o.email }),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "o-shipping" },
          h("h2", { id: "o-shipping", text: "Shipping" }),
          h("p", { class: "address", text: o.shipping_address }),
          h("p", {}, "Phone: ", h("a", { href: `tel:${o.phone_number.replace(/[^+\d]/g, "")}`, text: o.phone_number })),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "o-dates" },
          h("h2", { id: "o-dates", text: "Dates" }),
          h("p", {}, "Placed ", h("time", { datetime: o.created_at, text: when(o.created_at) })),
          h("p", {}, "Updated ", h("time", { datetime: o.updated_at, text: when(o.updated_at) })),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "o-lines" },
        h("h2", { id: "o-lines", text: "Lines" }),
        grid({
          class: "grid lines",
          headings: ["Product", "Quantity", "Unit price", "Subtotal"],
          rows: o.items.map((i) =>
            h(
              "tr",
              {},
              h(
                "th",
                { scope: "row" },
                i.product_name,
                i.product ? h("span", { class: "muted small", text: ` #${i.product}` }) : null,
              ),
              h("td", { "data-label": "Quantity", class: "num", text: String(i.quantity) }),
              h("td", { "data-label": "Unit price", class: "num", text: money(i.price) }),
              h("td", { "data-label": "Subtotal", class: "num", text: money(i.subtotal) }),
            ),
          ),
          foot: h(
            "tr",
            {},
            h("th", { scope: "row", colspan: 3, text: "Total" }),
            h("td", { class: "num total", text: money(o.total_price) }),
          ),
        }),
      ),
      h(
        "section",
        { "aria-labelledby": "o-history" },
        h("h2", { id: "o-history", text: "Status history" }),
        h(
          "ol",
          { class: "history" },
          o.history.map((c) =>
            h(
              "li",
              {},
              h("time", { datetime: c.changed_at, text: when(c.changed_at) }),
              " ",
              c.from_status ? [statusBadge(c.from_status), " → "] : "placed as ",
              statusBadge(c.to_status),
              h("span", { class: "muted", text: ` by ${c.changed_by_name ?? "a deleted user"}` }),
            ),
          ),
        ),
      ),
    );
    // Keep keyboard focus where it was, or on the heading when that button is gone after a move.
    if (hadFocus) {
      const again = /** @type {HTMLElement | null} */ (root.querySelector(`[data-focus-key="${hadFocus}"]`));
      (again ?? root.querySelector("h1"))?.focus();
    }
  }

  /** @param {() => Promise<unknown>} run one move; the API answers an OrderChanged */
  async function act(run) {
    if (busy) return;
    busy = true;
    fill(notice);
    const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (root.querySelectorAll(".order-actions button"));
    for (const b of buttons) b.disabled = true;
    try {
      const result = /** @type {OrderChanged} */ (await run());
      toast(result.message, "ok");
      render(/** @type {Order} */ (await api(`/api/admin/orders/${id}/`)));
    } catch (error) {
      fill(notice, h("div", { class: "alert", role: "alert" }, h("p", { text: messageOf(error) })));
      load();
    } finally {
      busy = false;
    }
  }

  /** @param {OrderStatus} status */
  const move = (status) => act(() => api(`/api/orders/${id}/update_status/`, { method: "PATCH", body: { status } }));

  async function cancel() {
    if (!(await confirmDialog(`Cancel order #${id}? Its stock goes back to the catalog.`, "Cancel order", true)))
      return;
    act(() => api(`/api/orders/${id}/cancel/`, { method: "POST" }));
  }

  load(true);
  return {
    /** @param {FeedEvent} msg */
    onFeed(msg) {
      if (msg.order_id === id && !busy) load();
    },
    resync: () => load(),
    dispose() {
      disposed = true;
    },
  };
}
