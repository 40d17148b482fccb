// @ts-check
// Categories: list with product counts, create, rename, delete (the API refuses while products remain).

import { api, fieldErrors, messageOf } from "./api.js";
import { confirmDialog, errorBox, fill, formDialog, grid, h, loading, toast, when } from "./dom.js";

/** @import { Category } from "./types.js" */

/** @param {HTMLElement} root */
export default function categories(root) {
  let disposed = false;
  const results = h("div", { class: "results" });
  const notice = h("div", { class: "notice-slot" });
  const name = h("input", {
    id: "c-name",
    name: "name",
    autocomplete: "off",
    required: true,
    "aria-describedby": "c-name-msg",
    oninput: () => {
      nameMsg.textContent = "";
      name.removeAttribute("aria-invalid");
    },
  });
  const description = h("input", {
    id: "c-description",
    name: "description",
    autocomplete: "off",
    "aria-describedby": "c-description-msg",
  });
  const nameMsg = h("span", { class: "field-error", id: "c-name-msg" });
  const descriptionMsg = h("span", { class: "field-error", id: "c-description-msg" });
  const add = h("button", { type: "submit", class: "primary", text: "Add category" });

  const form = h(
    "form",
    { class: "toolbar", "aria-label": "Add a category", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "c-name", text: "New category" }), name, nameMsg),
    h(
      "div",
      { class: "field grow" },
      h("label", { for: "c-description", text: "Description (optional)" }),
      description,
      descriptionMsg,
    ),
    h("div", { class: "field end" }, add),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    nameMsg.textContent = descriptionMsg.textContent = "";
    name.removeAttribute("aria-invalid");
    add.disabled = true;
    try {
      const created = /** @type {Category} */ (
        await api("/api/products/categories/", {
          method: "POST",
          body: { name: name.value, description: description.value },
        })
      );
      toast(`Created “${created.name}”`, "ok");
      name.value = description.value = "";
      load();
    } catch (error) {
      const fields = fieldErrors(error);
      if (fields) {
        nameMsg.textContent = fields.name?.join(" ") ?? "";
        descriptionMsg.textContent = fields.description?.join(" ") ?? "";
        if (fields.name) name.setAttribute("aria-invalid", "true");
      } else nameMsg.textContent = messageOf(error);
      name.focus();
    } finally {
      add.disabled = false;
    }
  });

  fill(root, h("div", { class: "heading" }, h("h1", { tabindex: -1, text: "Categories" })), form, notice, results);

  async function load() {
    results.setAttribute("aria-busy", "true");
    if (!results.firstChild || results.querySelector(".alert")) fill(results, loading("Loading categories"));
    try {
      const list = /** @type {Category[]} */ (await api("/api/products/categories/"));
      if (disposed) return;
      fill(
        results,
        list.length
          ? grid({ class: "grid", headings: ["Name", "Description", "Products", "Created", ""], rows: list.map(row) })
          : h("p", { class: "empty", text: "No categories yet." }),
      );
    } catch (error) {
      if (!disposed) fill(results, errorBox(error, load));
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  /** @param {Category} c */
  function row(c) {
    return h(
      "tr",
      { "data-id": c.id },
      h("th", { scope: "row", text: c.name }),
      h("td", { "data-label": "Description", class: "muted", text: c.description || "—" }),
      h(
        "td",
        { "data-label": "Products" },
        h("a", { href: `#/products?category=${c.id}`, text: String(c.products_count) }),
      ),
      h("td", { "data-label": "Created", text: when(c.created_at) }),
      h(
        "td",
        { class: "actions" },
        h("button", { type: "button", onclick: () => rename(c), text: "Rename" }),
        h("button", { type: "button", class: "danger", onclick: () => remove(c), text: "Delete" }),
      ),
    );
  }

  /** @param {Category} c */
  async function rename(c) {
    const saved = await formDialog({
      title: `Rename ${c.name}`,
      fields: [
        { name: "name", label: "Name", value: c.name, required: true },
        { name: "description", label: "Description", type: "textarea", value: c.description },
      ],
      submit: (values) =>
        /** @type {Promise<Category>} */ (api(`/api/products/categories/${c.id}/`, { method: "PATCH", body: values })),
    });
    if (saved) {
      toast(`Saved “${saved.name}”`, "ok");
      load();
    }
  }

  /** @param {Category} c */
  async function remove(c) {
    fill(notice);
    if (!(await confirmDialog(`Delete the category “${c.name}”?`, "Delete", true))) return;
    try {
      await api(`/api/products/categories/${c.id}/`, { method: "DELETE" });
      toast(`Deleted “${c.name}”`, "ok");
      load();
    } catch (error) {
      // The API's refusal (e.g. the category still has products), shown where it happened.
      fill(
        notice,
        h(
          "div",
          { class: "alert", role: "alert" },
          h("p", { text: `Could not delete “${c.name}”: ${messageOf(error)}` }),
        ),
      );
    }
  }

  load();
  return {
    dispose() {
      disposed = true;
    },
    resync: load,
  };
}
