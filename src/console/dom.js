// @ts-check
// Small DOM helpers for the staff console: no framework, no inline styles or scripts (CSP).

import { fieldErrors, messageOf } from "./api.js";

/**
 * @typedef {string | number | boolean | null | undefined} PropValue
 * @typedef {{ [name: string]: PropValue | EventListener }} Props
 * @typedef {Node | string | number | boolean | null | undefined} Leaf
 * @typedef {Leaf | Leaf[]} Child arrays one level deep, as the pages pass them (a JSDoc typedef cannot
 *   refer to itself); h() itself flattens any depth
 */

/**
 * h("button", { class: "primary", onclick: fn, "aria-label": "x" }, "text", child, [more])
 * Props starting with "on" are listeners; `text` sets textContent; other props become attributes
 * (true → empty attribute, false/null/undefined → left out). Children may be nodes, strings or arrays.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = String(value);
    // Only given to inputs, textareas and options, which all take a string value.
    else if (key === "value") /** @type {HTMLInputElement} */ (el).value = String(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * A list page's filter bar (a search landmark); its fields act as they change, so submitting
 * does nothing.
 * @param {string} label
 * @param {...Child} fields
 */
export const toolbar = (label, ...fields) =>
  h("form", { class: "toolbar", role: "search", "aria-label": label, onsubmit: (e) => e.preventDefault() }, ...fields);

/**
 * A labelled search box that hands its text to `search` once typing pauses for 300 ms.
 * @param {{ id: string; label: string; value: string; placeholder: string; search: (text: string) => void }} field
 */
export const searchField = ({ id, label, value, placeholder, search }) =>
  h(
    "div",
    { class: "field" },
    h("label", { for: id, text: label }),
    h("input", {
      id,
      type: "search",
      value,
      placeholder,
      oninput: debounce((e) => search(/** @type {HTMLInputElement} */ (e.target).value), 300),
    }),
  );

/**
 * A data table in its scrolling wrapper: a column heading per entry of `headings` (null ones
 * left out), the body rows, and an optional screen-reader caption and footer.
 * @param {{ class: string; headings: (string | null)[]; rows: Child; caption?: string; foot?: Child }} table
 */
export function grid({ class: className, headings, rows, caption, foot }) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: className },
      caption ? h("caption", { class: "sr-only", text: caption }) : null,
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headings.map((t) => (t === null ? null : h("th", { scope: "col", text: t }))),
        ),
      ),
      h("tbody", {}, rows),
      foot ? h("tfoot", {}, foot) : null,
    ),
  );
}

/**
 * Replaces an element's children.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
export const uid = (prefix = "f") => `${prefix}-${++ids}`;

/**
 * "1299.99" → "1,299.99", on the decimal string itself (money never goes through a float).
 * @param {string} text
 */
export function money(text) {
  const [whole, fraction = "00"] = String(text).split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
/** @param {string | null} iso */
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "—");

/** @param {string} status */
export const statusBadge = (status) => h("span", { class: `badge status-${status}`, text: status });

export const loading = (what = "Loading") =>
  h("p", { class: "loading", role: "status", "aria-busy": "true", text: `${what}…` });

/**
 * An error the user can act on: the API's message and, when given, a Retry button.
 * @param {unknown} error
 * @param {() => void} [retry]
 */
export function errorBox(error, retry) {
  return h(
    "div",
    { class: "alert", role: "alert" },
    h("p", { text: messageOf(error) }),
    retry ? h("button", { type: "button", onclick: retry, text: "Retry" }) : null,
  );
}

/**
 * Short notices in the corner; announced to screen readers.
 * @param {string} text
 * @param {"info" | "ok" | "error" | "live"} [kind]
 */
export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const note = h("div", { class: `toast toast-${kind}`, text });
  box.append(note);
  // A burst of live events shows the latest few, not a wall of notices.
  while (box.children.length > 4) box.firstElementChild?.remove();
  setTimeout(() => note.remove(), 5000);
}

/**
 * A modal confirmation (native <dialog>: focus moves in, Escape cancels). Resolves true when confirmed.
 * @param {string} message
 * @param {string} [confirmLabel]
 * @param {boolean} [danger]
 * @returns {Promise<boolean>}
 */
export function confirmDialog(message, confirmLabel = "Confirm", danger = false) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "confirm-text" },
      h(
        "form",
        { method: "dialog" },
        h("p", { id: "confirm-text", text: message }),
        h(
          "div",
          { class: "actions" },
          h("button", { value: "cancel", type: "submit", text: "Keep" }),
          h("button", { value: "ok", type: "submit", class: danger ? "danger" : "primary", text: confirmLabel }),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * @typedef {{ name: string, label: string, value?: string | number, required?: boolean }} FieldBase
 * @typedef {FieldBase & { type?: "text" | "textarea", inputmode?: string }} TextField
 * @typedef {FieldBase & { type: "select", options: [string | number, string][] }} SelectField
 * @typedef {TextField | SelectField} Field
 */

/**
 * A form in a modal dialog. `fields`: [{ name, label, type?, value?, options?, required? }].
 * `submit(values)` may throw an ApiError: its field messages are shown under the fields, other
 * messages at the top, and the dialog stays open. Resolves with submit's result, or null if cancelled.
 * @template R
 * @param {{ title: string, fields: Field[], submitLabel?: string, submit: (values: Record<string, string>) => Promise<R> }} options
 * @returns {Promise<R | null>}
 */
export function formDialog({ title, fields, submitLabel = "Save", submit }) {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const top = h("div", { class: "form-error", role: "alert", tabindex: -1 });
    /** @type {Record<string, HTMLElement>} */
    const messages = {};
    /** @type {Record<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>} */
    const controls = {};
    const rows = fields.map((f) => {
      const id = uid("field");
      const msg = h("span", { class: "field-error", id: `${id}-msg` });
      messages[f.name] = msg;
      const common = { id, name: f.name, "aria-describedby": `${id}-msg`, required: f.required };
      const control =
        f.type === "textarea"
          ? h("textarea", { ...common, rows: 3, value: f.value ?? "" })
          : f.type === "select"
            ? h(
                "select",
                common,
                f.options.map(([value, label]) =>
                  h("option", { value, selected: String(value) === String(f.value ?? ""), text: label }),
                ),
              )
            : h("input", {
                ...common,
                type: "text",
                inputmode: f.inputmode,
                autocomplete: "off",
                value: f.value ?? "",
              });
      controls[f.name] = control;
      return h("div", { class: "field" }, h("label", { for: id, text: f.label }), control, msg);
    });
    const save = h("button", { type: "submit", class: "primary", text: submitLabel });
    const form = h(
      "form",
      { novalidate: true },
      h("h2", { id: titleId, text: title }),
      top,
      rows,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close(), text: "Cancel" }),
        save,
      ),
    );
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId }, form);
    /** @type {R | null} */
    let result = null;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(fields.map((f) => [f.name, controls[f.name].value]));
      top.textContent = "";
      for (const [name, msg] of Object.entries(messages)) {
        msg.textContent = "";
        controls[name].removeAttribute("aria-invalid");
      }
      save.disabled = true;
      save.textContent = "Saving…";
      try {
        result = await submit(values);
        dialog.close();
      } catch (error) {
        const fields = fieldErrors(error);
        const unplaced = [];
        for (const [name, list] of Object.entries(fields ?? {})) {
          if (messages[name]) {
            messages[name].textContent = list.join(" ");
            controls[name].setAttribute("aria-invalid", "true");
          } else unplaced.push(...list);
        }
        top.textContent = unplaced.length ? unplaced.join(" ") : fields ? "" : messageOf(error);
        const invalid = /** @type {HTMLElement | null} */ (form.querySelector("[aria-invalid=true]"));
        (invalid ?? top).focus?.();
      } finally {
        save.disabled = false;
        save.textContent = submitLabel;
      }
    });
    dialog.addEventListener("close", () => {
      resolve(result);
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * "Previous · Page 2 of 5 · Next" for a DRF page; `go(page)` loads another page.
 * @param {number} page
 * @param {number} count
 * @param {number} pageSize
 * @param {(page: number) => void} go
 * @param {string} [noun] plural; the "s" goes for a count of 1
 */
export function pager(page, count, pageSize, go, noun = "items") {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1), text: "← Previous" }),
    h("span", { text: `Page ${page} of ${pages} · ${count} ${count === 1 ? noun.replace(/s$/, "") : noun}` }),
    h("button", { type: "button", disabled: page >= pages, onclick: () => go(page + 1), text: "Next →" }),
  );
}

/**
 * Calls `fn` once `ms` after the last call.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function debounce(fn, ms) {
  /** @type {number | undefined} */
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The query part of the location hash (`#/orders?status=pending`) as an object. */
export function hashQuery() {
  const query = location.hash.split("?")[1] ?? "";
  return Object.fromEntries(new URLSearchParams(query));
}

/**
 * Rewrites the hash query without a history entry or a hashchange, so a reload keeps the filters.
 * @param {string} path
 * @param {Record<string, string | number | null | undefined>} params
 */
export function setHashQuery(path, params) {
  const kept = Object.entries(params)
    .filter(([k, v]) => v !== "" && v !== undefined && v !== null && !(k === "page" && Number(v) === 1))
    .map(([k, v]) => [k, String(v)]);
  const query = new URLSearchParams(kept);
  const text = query.toString();
  history.replaceState(null, "", `#${path}${text ? `?${text}` : ""}`);
}
