// @ts-check
// Orders: every customer's orders, newest first, filterable by status and searchable by customer.
// Live: a feed event re-reads the page, and the rows it names flash.

import { api } from "./api.js";
import {
  debounce,
  fill,
  grid,
  h,
  hashQuery,
  money,
  searchField,
  setHashQuery,
  statusBadge,
  toolbar,
  when,
} from "./dom.js";
import { pagedList } from "./list.js";

/** @import { FeedEvent, OrderStatus, OrderSummary, Page } from "./types.js" */

/** @type {OrderStatus[]} */
export const STATUSES = ["pending", "processing", "shipped", "delivered", "cancelled"];
const PAGE_SIZE = 20;

/**
 * The orders table, shared with a customer's page. `fresh` holds ids to highlight.
 * @param {OrderSummary[]} rows
 * @param {Set<number>} [fresh]
 * @param {boolean} [withCustomer]
 */
export function ordersTable(rows, fresh = new Set(), withCustomer = true) {
  return grid({
    class: "grid orders",
    headings: ["Order", withCustomer ? "Customer" : null, "Status", "Items", "Total", "Placed"],
    rows: rows.map((o) =>
      h(
        "tr",
        { "data-id": o.id, class: fresh.has(o.id) ? "flash" : null },
        h("th", { scope: "row" }, h("a", { href: `#/orders/${o.id}`, text: `#${o.id}` })),
        withCustomer
          ? h(
              "td",
              { "data-label": "Customer" },
              h(
                "div",
                { class: "stack" },
                h("a", { href: `#/customers/${o.user}`, text: o.user_name }),
                h("div", { class: "muted small", text: o.email }),
              ),
            )
          : null,
        h("td", { "data-label": "Status" }, statusBadge(o.status)),
        h("td", { "data-label": "Items", text: String(o.items_count) }),
        h("td", { "data-label": "Total", class: "num", text: money(o.total_price) }),
        h("td", { "data-label": "Placed", text: when(o.created_at) }),
      ),
    ),
  });
}

/** @param {HTMLElement} root */
export default function orders(root) {
  const q = hashQuery();
  const state = {
    status: /** @type {readonly string[]} */ (STATUSES).includes(q.status) ? q.status : "",
    search: q.search ?? "",
    page: Number(q.page) || 1,
  };
  /** @type {Set<number>} */
  const fresh = new Set();
  const results = h("div", { class: "results", "aria-live": "polite" });

  fill(
    root,
    h("div", { class: "heading" }, h("h1", { tabindex: -1, text: "Orders" })),
    toolbar(
      "Filter orders",
      searchField({
        id: "o-search",
        label: "Customer",
        value: state.search,
        placeholder: "Username, name or email",
        search: (text) => set({ search: text }),
      }),
      h(
        "div",
        { class: "field" },
        h("label", { for: "o-status", text: "Status" }),
        h(
          "select",
          { id: "o-status", onchange: (e) => set({ status: /** @type {HTMLSelectElement} */ (e.target).value }) },
          h("option", { value: "", text: "Any status" }),
          STATUSES.map((s) => h("option", { value: s, selected: s === state.status, text: s })),
        ),
      ),
    ),
    results,
  );

  /** @param {Partial<typeof state>} change */
  function set(change) {
    Object.assign(state, { page: 1 }, change);
    load();
  }

  const { load, dispose } = pagedList({
    results,
    state,
    pageSize: PAGE_SIZE,
    loadingText: "Loading orders",
    emptyText: "No orders match these filters.",
    noun: "orders",
    read: () => {
      setHashQuery("/orders", state);
      return /** @type {Promise<Page<OrderSummary>>} */ (
        api("/api/admin/orders/", { query: { ...state, page_size: PAGE_SIZE } })
      );
    },
    table: (rows) => ordersTable(rows, fresh),
    // A row flashes once, in the first list drawn after its event.
    shown: () => fresh.clear(),
  });

  const reload = debounce(load, 150);
  load();
  return {
    /** @param {FeedEvent} msg */
    onFeed(msg) {
      fresh.add(msg.order_id);
      reload();
    },
    resync: load,
    dispose,
  };
}
