// @ts-check
// Carts: every open cart (one line or more) with its customer, lines, value and age; read-only.
// A new order empties its customer's cart, so feed events re-read the page.

import { api } from "./api.js";
import { fill, grid, h, hashQuery, money, setHashQuery, when } from "./dom.js";
import { pagedList } from "./list.js";

/** @import { OpenCart, Page } from "./types.js" */

const PAGE_SIZE = 20;
const UNITS = /** @type {const} */ ([
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
]);
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "3 hours ago" for an ISO time. @param {string} iso */
function age(iso) {
  const ms = Date.parse(iso) - Date.now();
  const [unit, size] = UNITS.find(([, size]) => Math.abs(ms) >= size) ?? UNITS[2];
  return relative.format(Math.round(ms / size), unit);
}

/** @param {HTMLElement} root */
export default function carts(root) {
  const state = { page: Number(hashQuery().page) || 1 };
  const results = h("div", { class: "results" });
  fill(
    root,
    h(
      "div",
      { class: "heading" },
      h("h1", { tabindex: -1, text: "Carts" }),
      h("p", { class: "muted small", text: "Open carts, latest activity first, at today's prices. Read-only." }),
    ),
    results,
  );

  const { load, dispose } = pagedList({
    results,
    state,
    pageSize: PAGE_SIZE,
    loadingText: "Loading carts",
    emptyText: "No open carts.",
    noun: "carts",
    read: () => {
      setHashQuery("/carts", state);
      return /** @type {Promise<Page<OpenCart>>} */ (
        api("/api/admin/carts/", { query: { ...state, page_size: PAGE_SIZE } })
      );
    },
    table: (rows) =>
      grid({
        class: "grid carts",
        headings: ["Customer", "Lines", "Items", "Value", "Age", "Last added"],
        rows: rows.map((c) =>
          h(
            "tr",
            { "data-id": c.id },
            h(
              "th",
              { scope: "row" },
              h("a", { href: `#/customers/${c.user}`, text: c.user_name }),
              h("span", { class: "muted small", text: ` ${c.email}` }),
            ),
            h(
              "td",
              { "data-label": "Lines" },
              h(
                "ul",
                { class: "lines" },
                c.items.map((line) =>
                  h("li", { text: `${line.quantity} × ${line.product_name} (${money(line.subtotal)})` }),
                ),
              ),
            ),
            h("td", { "data-label": "Items", class: "num", text: c.item_count }),
            h("td", { "data-label": "Value", class: "num", text: money(c.total) }),
            h("td", { "data-label": "Age", title: when(c.opened_at), text: age(c.opened_at) }),
            h("td", { "data-label": "Last added", text: when(c.updated_at) }),
          ),
        ),
      }),
  });

  load();
  return { dispose, resync: load, onFeed: load };
}
