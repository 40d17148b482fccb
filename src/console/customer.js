// @ts-check
// One customer's profile, order summary and orders (read-only).

import { api } from "./api.js";
import { errorBox, fill, h, loading, money, pager, when } from "./dom.js";
import { ordersTable, STATUSES } from "./orders.js";

/** @import { Customer, FeedEvent, OrderSummary, Page } from "./types.js" */

const PAGE_SIZE = 10;

/**
 * @param {HTMLElement} root
 * @param {string} idText the id from the route
 */
export default function customer(root, idText) {
  const id = Number(idText);
  let disposed = false;
  let page = 1;
  const orderList = h("div", { class: "results" });

  async function load() {
    fill(root, h("h1", { tabindex: -1, text: "Customer" }), loading("Loading the customer"));
    try {
      const u = /** @type {Customer} */ (await api(`/api/admin/customers/${id}/`));
      if (disposed) return;
      render(u);
      loadOrders();
    } catch (error) {
      if (!disposed) fill(root, h("h1", { tabindex: -1, text: "Customer" }), errorBox(error, load));
    }
  }

  /** @type {(label: string, value: string) => HTMLElement[]} */
  const row = (label, value) => [h("dt", { text: label }), h("dd", { text: value || "—" })];

  /** @param {Customer} u */
  function render(u) {
    const s = u.order_summary;
    fill(
      root,
      h("p", { class: "crumbs" }, h("a", { href: "#/customers", text: "← All customers" })),
      h(
        "div",
        { class: "heading" },
        h("h1", { tabindex: -1, text: u.username }),
        u.is_staff ? h("span", { class: "badge staff", text: "staff" }) : null,
        u.is_active ? null : h("span", { class: "badge inactive", text: "inactive" }),
      ),
      h(
        "div",
        { class: "cards" },
        h(
          "section",
          { class: "card", "aria-labelledby": "u-profile" },
          h("h2", { id: "u-profile", text: "Profile" }),
          h(
            "dl",
            {},
            row("Name", `${u.first_name} ${u.last_name}`.trim()),
            row("Email", u.email),
            row("Phone", u.phone_number),
            row("Address", [u.address, `${u.postal_code} ${u.city}`.trim(), u.country].filter(Boolean).join(", ")),
            row("Joined", when(u.date_joined)),
          ),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "u-summary" },
          h("h2", { id: "u-summary", text: "Orders" }),
          h(
            "dl",
            {},
            row("Orders", String(s.count)),
            row("Spent (not cancelled)", money(s.total_spent)),
            row("Last order", when(s.last_order_at)),
          ),
          h(
            "p",
            { class: "small" },
            STATUSES.filter((st) => s.by_status[st]).map((st) =>
              h("span", { class: `badge status-${st}`, text: `${st} ${s.by_status[st]}` }),
            ),
          ),
        ),
      ),
      h("section", { "aria-labelledby": "u-orders" }, h("h2", { id: "u-orders", text: "Order history" }), orderList),
    );
  }

  async function loadOrders() {
    fill(orderList, loading("Loading orders"));
    try {
      const data = /** @type {Page<OrderSummary>} */ (
        await api("/api/admin/orders/", { query: { user: id, page, page_size: PAGE_SIZE } })
      );
      if (disposed) return;
      fill(
        orderList,
        data.results.length
          ? ordersTable(data.results, new Set(), false)
          : h("p", { class: "empty", text: "No orders yet." }),
        data.count > PAGE_SIZE
          ? pager(
              page,
              data.count,
              PAGE_SIZE,
              (n) => {
                page = n;
                loadOrders();
              },
              "orders",
            )
          : null,
      );
    } catch (error) {
      if (!disposed) fill(orderList, errorBox(error, loadOrders));
    }
  }

  load();
  return {
    /** @param {FeedEvent} msg */
    onFeed(msg) {
      if (msg.user_id === id) load();
    },
    resync: load,
    dispose() {
      disposed = true;
    },
  };
}
