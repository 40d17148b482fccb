// @ts-check
// Products: a paginated, searchable, filterable list with price and stock edited in place, and
// the archived ones (out of the catalog) under their own filter, each with a Restore button.

import { api, fieldErrors, messageOf } from "./api.js";
import {
  confirmDialog,
  fill,
  formDialog,
  grid,
  h,
  hashQuery,
  searchField,
  setHashQuery,
  toast,
  toolbar,
  uid,
} from "./dom.js";
import { pagedList } from "./list.js";

/** @import { Category, Page, Product } from "./types.js" */

const LOW_STOCK = 10;
const PAGE_SIZE = 20;
const ORDERINGS = [
  ["-created_at", "Newest first"],
  ["name", "Name A–Z"],
  ["price", "Price, low to high"],
  ["-price", "Price, high to low"],
  ["stock", "Stock, low to high"],
  ["-stock", "Stock, high to low"],
];

/** @param {HTMLElement} root */
export default function products(root) {
  const q = hashQuery();
  const state = {
    search: q.search ?? "",
    category: q.category ?? "",
    stock: ["in", "out", "low"].includes(q.stock) ? q.stock : "",
    ordering: q.ordering ?? "-created_at",
    show: q.show === "archived" ? "archived" : "",
    page: Number(q.page) || 1,
  };
  /** @type {Category[]} */
  let categories = [];
  const results = h("div", { class: "results" });
  const categorySelect = h(
    "select",
    { id: "p-category", name: "category" },
    h("option", { value: "", text: "All categories" }),
  );

  const filters = toolbar(
    "Filter products",
    h(
      "div",
      { class: "field" },
      h("label", { for: "p-show", text: "Show" }),
      h(
        "select",
        { id: "p-show", onchange: (e) => set({ show: /** @type {HTMLSelectElement} */ (e.target).value }) },
        [
          ["", "In the catalog"],
          ["archived", "Archived"],
        ].map(([value, label]) => h("option", { value, selected: value === state.show, text: label })),
      ),
    ),
    searchField({
      id: "p-search",
      label: "Search",
      value: state.search,
      placeholder: "Name or description",
      search: (text) => set({ search: text }),
    }),
    h("div", { class: "field" }, h("label", { for: "p-category", text: "Category" }), categorySelect),
    h(
      "div",
      { class: "field" },
      h("label", { for: "p-stock", text: "Stock" }),
      h(
        "select",
        { id: "p-stock", onchange: (e) => set({ stock: /** @type {HTMLSelectElement} */ (e.target).value }) },
        [
          ["", "Any stock"],
          ["in", "In stock"],
          ["out", "Out of stock"],
          ["low", `Low stock (under ${LOW_STOCK})`],
        ].map(([value, label]) => h("option", { value, selected: value === state.stock, text: label })),
      ),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "p-ordering", text: "Sort" }),
      h(
        "select",
        { id: "p-ordering", onchange: (e) => set({ ordering: /** @type {HTMLSelectElement} */ (e.target).value }) },
        ORDERINGS.map(([value, label]) => h("option", { value, selected: value === state.ordering, text: label })),
      ),
    ),
  );
  categorySelect.addEventListener("change", () => set({ category: categorySelect.value }));

  fill(
    root,
    h(
      "div",
      { class: "heading" },
      h("h1", { tabindex: -1, text: "Products" }),
      h("button", { type: "button", class: "primary", onclick: () => edit(null), text: "New product" }),
    ),
    filters,
    results,
  );

  /** @param {Partial<typeof state>} change */
  function set(change) {
    Object.assign(state, { page: 1 }, change);
    inert();
    load();
  }

  /** The catalog's filters do not apply to archived products. */
  function inert() {
    for (const id of ["p-category", "p-stock", "p-ordering"]) {
      const control = /** @type {HTMLSelectElement} */ (filters.querySelector(`#${id}`));
      control.disabled = state.show === "archived";
    }
  }

  async function loadCategories() {
    try {
      categories = /** @type {Category[]} */ (await api("/api/products/categories/"));
      categorySelect.replaceChildren(
        h("option", { value: "", text: "All categories" }),
        ...categories.map((c) => h("option", { value: c.id, selected: String(c.id) === state.category, text: c.name })),
      );
    } catch {
      // The list still works without the category names in the filter; the error shows when saving.
    }
  }

  const { load, dispose } = pagedList({
    results,
    state,
    pageSize: PAGE_SIZE,
    loadingText: "Loading products",
    emptyText: "No products match these filters.",
    noun: "products",
    read: async () => {
      setHashQuery("/products", {
        search: state.search,
        category: state.category,
        stock: state.stock,
        ordering: state.ordering === "-created_at" ? "" : state.ordering,
        show: state.show,
        page: state.page,
      });
      if (state.show === "archived") {
        return /** @type {Promise<Page<Product>>} */ (
          api("/api/admin/products/archived/", {
            query: { search: state.search, page: state.page, page_size: PAGE_SIZE },
          })
        );
      }
      if (state.stock === "low") {
        // A plain list from the staff-only low-stock route; search is applied here.
        const lowStock = /** @type {Product[]} */ (
          await api("/api/products/low_stock/", { query: { threshold: LOW_STOCK, category: state.category } })
        );
        const terms = state.search.toLowerCase().split(/\s+/).filter(Boolean);
        return lowStock.filter((p) => terms.every((t) => `${p.name} ${p.description}`.toLowerCase().includes(t)));
      }
      return /** @type {Promise<Page<Product>>} */ (
        api("/api/products/", {
          query: {
            search: state.search,
            category: state.category,
            in_stock: /** @type {Record<string, string>} */ ({ in: "true", out: "false" })[state.stock],
            ordering: state.ordering,
            page: state.page,
            page_size: PAGE_SIZE,
          },
        })
      );
    },
    table,
    unpaged: (rows) =>
      h("p", { class: "muted", text: `${rows.length} products with 0 < stock < ${LOW_STOCK}, lowest first.` }),
  });

  /** @param {Product[]} rows */
  function table(rows) {
    if (state.show === "archived") return archivedTable(rows);
    return grid({
      class: "grid products",
      headings: ["Name", "Category", "Price", "Stock", "", ""],
      rows: rows.map(row),
      caption: "Products; price and stock can be edited in place (Enter saves, Escape reverts)",
    });
  }

  /** @param {Product} p */
  function row(p) {
    const badge = h("span");
    /** @param {number} stock */
    const paint = (stock) => {
      badge.className = `badge ${stock === 0 ? "stock-out" : stock < LOW_STOCK ? "stock-low" : "stock-in"}`;
      badge.textContent = stock === 0 ? "Out of stock" : stock < LOW_STOCK ? "Low" : "In stock";
    };
    paint(p.stock);
    return h(
      "tr",
      { "data-id": p.id },
      h(
        "th",
        { scope: "row", class: "name" },
        h("button", { type: "button", class: "link", onclick: () => edit(p), text: p.name }),
        h("span", { class: "muted small", text: ` #${p.id}` }),
      ),
      h("td", { "data-label": "Category", text: p.category_name }),
      h(
        "td",
        { "data-label": "Price", class: "edit" },
        inlineEditor(p, "price", p.price, "decimal", `Price of ${p.name}`),
      ),
      h(
        "td",
        { "data-label": "Stock", class: "edit" },
        inlineEditor(p, "stock", String(p.stock), "numeric", `Stock of ${p.name}`, (updated) => paint(updated.stock)),
      ),
      h("td", {}, badge),
      h(
        "td",
        { class: "actions edit" },
        h("button", { type: "button", onclick: () => edit(p), text: "Edit" }),
        h("button", { type: "button", class: "danger", onclick: () => archive(p), text: "Archive" }),
      ),
    );
  }

  /**
   * An input saved with PATCH on Enter or when it loses focus; Escape puts the saved value back.
   * @param {Product} product
   * @param {"price" | "stock"} field
   * @param {string} value
   * @param {string} inputmode
   * @param {string} label
   * @param {(updated: Product) => void} [after]
   */
  function inlineEditor(product, field, value, inputmode, label, after) {
    const id = uid("edit");
    let saved = value;
    // Enter then blur would otherwise send the same PATCH twice (or repeat a refused value).
    /** @type {string | null} */
    let pending = null;
    /** @type {string | null} */
    let refused = null;
    const msg = h("span", { class: "cell-msg", id: `${id}-msg`, "aria-live": "polite" });
    const input = h("input", {
      id,
      class: `inline ${field}`,
      name: field,
      inputmode,
      autocomplete: "off",
      value,
      "aria-label": label,
      "aria-describedby": `${id}-msg`,
    });
    async function commit() {
      const next = input.value.trim();
      if (next === saved || next === pending || next === refused) return;
      pending = next;
      input.setAttribute("aria-busy", "true");
      msg.className = "cell-msg";
      msg.textContent = "Saving…";
      try {
        const updated = /** @type {Product} */ (
          await api(`/api/products/${product.id}/`, { method: "PATCH", body: { [field]: next } })
        );
        saved = String(updated[field]);
        input.value = saved;
        input.removeAttribute("aria-invalid");
        msg.className = "cell-msg ok";
        msg.textContent = "Saved";
        refused = null;
        after?.(updated);
        setTimeout(() => {
          if (msg.textContent === "Saved") msg.textContent = "";
        }, 2500);
      } catch (error) {
        refused = next;
        input.setAttribute("aria-invalid", "true");
        msg.className = "cell-msg error";
        msg.textContent = fieldErrors(error)?.[field]?.join(" ") ?? messageOf(error);
      } finally {
        pending = null;
        input.removeAttribute("aria-busy");
      }
    }
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        commit();
      } else if (e.key === "Escape") {
        input.value = saved;
        input.removeAttribute("aria-invalid");
        msg.textContent = "";
      }
    });
    input.addEventListener("change", commit);
    return h("div", { class: "inline-cell" }, input, msg);
  }

  /** @param {Product[]} rows */
  function archivedTable(rows) {
    return grid({
      class: "grid products archived",
      headings: ["Name", "Category", "Price", "Stock", ""],
      caption: "Archived products: out of the catalog, kept in order history",
      rows: rows.map((p) =>
        h(
          "tr",
          { "data-id": p.id },
          h("th", { scope: "row", class: "name" }, p.name, h("span", { class: "muted small", text: ` #${p.id}` })),
          h("td", { "data-label": "Category", text: p.category_name }),
          h("td", { "data-label": "Price", class: "num", text: p.price }),
          h("td", { "data-label": "Stock", class: "num", text: p.stock }),
          h(
            "td",
            { class: "actions" },
            h("button", {
              type: "button",
              class: "primary",
              onclick: () => restore(p),
              "aria-label": `Restore ${p.name}`,
              text: "Restore",
            }),
          ),
        ),
      ),
    });
  }

  /** Back into the catalog (the API invalidates the cached catalog). @param {Product} p */
  async function restore(p) {
    try {
      await api(`/api/admin/products/${p.id}/restore/`, { method: "POST" });
      toast(`Restored “${p.name}” to the catalog`, "ok");
      load();
    } catch (error) {
      toast(messageOf(error), "error");
    }
  }

  /** @param {Product | null} p null for a new product */
  async function edit(p) {
    if (!categories.length) await loadCategories();
    const saved = await formDialog({
      title: p ? `Edit ${p.name}` : "New product",
      submitLabel: p ? "Save changes" : "Create product",
      fields: [
        { name: "name", label: "Name", value: p?.name, required: true },
        { name: "description", label: "Description", type: "textarea", value: p?.description },
        { name: "price", label: "Price", inputmode: "decimal", value: p?.price, required: true },
        { name: "stock", label: "Stock", inputmode: "numeric", value: p ? String(p.stock) : "0" },
        {
          name: "category",
          label: "Category",
          type: "select",
          value: p?.category ?? "",
          options: [
            ["", "Choose a category"],
            ...categories.map((c) => /** @type {[number, string]} */ ([c.id, c.name])),
          ],
          required: true,
        },
      ],
      submit: (values) => {
        const body = { ...values, category: values.category === "" ? null : Number(values.category) };
        return /** @type {Promise<Product>} */ (
          p ? api(`/api/products/${p.id}/`, { method: "PATCH", body }) : api("/api/products/", { method: "POST", body })
        );
      },
    });
    if (saved) {
      toast(p ? `Saved “${saved.name}”` : `Created “${saved.name}”`, "ok");
      load();
    }
  }

  /** @param {Product} p */
  async function archive(p) {
    if (
      !(await confirmDialog(
        `Archive “${p.name}”? It leaves the catalog; orders that include it keep it.`,
        "Archive",
        true,
      ))
    )
      return;
    try {
      await api(`/api/products/${p.id}/`, { method: "DELETE" });
      toast(`Archived “${p.name}”`, "ok");
      load();
    } catch (error) {
      toast(messageOf(error), "error");
    }
  }

  loadCategories();
  inert();
  load();
  return { dispose, resync: load };
}
