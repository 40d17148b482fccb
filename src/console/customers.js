// @ts-check
// Customers: every account, newest first, searchable (read-only).

import { api } from "./api.js";
import { fill, grid, h, hashQuery, searchField, setHashQuery, toolbar, when } from "./dom.js";
import { pagedList } from "./list.js";

/** @import { CustomerSummary, Page } from "./types.js" */

const PAGE_SIZE = 20;

/** @param {HTMLElement} root */
export default function customers(root) {
  const q = hashQuery();
  const state = { search: q.search ?? "", page: Number(q.page) || 1 };
  const results = h("div", { class: "results" });

  fill(
    root,
    h("div", { class: "heading" }, h("h1", { tabindex: -1, text: "Customers" })),
    toolbar(
      "Search customers",
      searchField({
        id: "u-search",
        label: "Search",
        value: state.search,
        placeholder: "Username, name or email",
        search: (text) => {
          state.search = text;
          state.page = 1;
          load();
        },
      }),
    ),
    results,
  );

  const { load, dispose } = pagedList({
    results,
    state,
    pageSize: PAGE_SIZE,
    loadingText: "Loading customers",
    emptyText: "No customers match.",
    noun: "accounts",
    read: () => {
      setHashQuery("/customers", state);
      return /** @type {Promise<Page<CustomerSummary>>} */ (
        api("/api/admin/customers/", { query: { ...state, page_size: PAGE_SIZE } })
      );
    },
    table,
  });

  /** @param {CustomerSummary[]} rows */
  function table(rows) {
    return grid({
      class: "grid",
      headings: ["Username", "Name", "Email", "Orders", "Joined"],
      rows: rows.map((u) =>
        h(
          "tr",
          { "data-id": u.id },
          h(
            "th",
            { scope: "row" },
            h("a", { href: `#/customers/${u.id}`, text: u.username }),
            u.is_staff ? h("span", { class: "badge staff", text: "staff" }) : null,
            u.is_active ? null : h("span", { class: "badge inactive", text: "inactive" }),
          ),
          h("td", { "data-label": "Name", text: `${u.first_name} ${u.last_name}`.trim() || "—" }),
          h("td", { "data-label": "Email", text: u.email }),
          h("td", { "data-label": "Orders", class: "num", text: String(u.orders_count) }),
          h("td", { "data-label": "Joined", text: when(u.date_joined) }),
        ),
      ),
    });
  }

  load();
  return {
    resync: load,
    dispose,
  };
}
