// @ts-check
// The webhooks page's forms: an endpoint's fields (the create form on the page, and the edit
// dialog), and the box that shows a signing secret the one time the API answers it.

import { api, fieldErrors, messageOf } from "./api.js";
import { h, uid } from "./dom.js";

/** @import { WebhookEndpoint, WebhookEvent } from "./types.js" */
/** @typedef {{ url: string, events: string[], description: string, follow_redirects: boolean }} EndpointBody */

/** @type {[WebhookEvent, string][]} */
const EVENTS = [
  ["order.created", "An order is placed"],
  ["order.status_changed", "An order moves to another status"],
  ["order.cancelled", "An order is cancelled"],
  ["product.stock_low", "A product's stock falls under 10"],
  ["product.out_of_stock", "A product runs out"],
];

/**
 * A signing secret, shown once: selected in a read-only field, with a Copy button.
 * @param {string} title
 * @param {string} secret
 * @param {string | undefined} note
 * @param {() => void} done
 */
export function secretBox(title, secret, note, done) {
  const id = uid("secret");
  const hint = h("p", { class: "small", "aria-live": "polite" });
  const input = h("input", {
    id,
    class: "secret",
    readonly: true,
    spellcheck: "false",
    autocomplete: "off",
    value: secret,
  });
  input.addEventListener("focus", () => input.select());
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(secret);
      hint.textContent = "Copied.";
    } catch {
      // No clipboard access (an insecure origin, a refused permission): the selection still copies.
      hint.textContent = "Press Ctrl+C (⌘C on a Mac) to copy the selected secret.";
    }
  };
  return h(
    "section",
    { class: "note secret-box", "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title`, class: "hook-url", text: title }),
    h("p", {}, h("strong", { text: "Copy the signing secret now: it will not be shown again." })),
    h(
      "div",
      { class: "secret-row" },
      h("label", { for: id, text: "Signing secret" }),
      input,
      h("button", { type: "button", onclick: copy, text: "Copy" }),
    ),
    hint,
    note ? h("p", { class: "small", text: note }) : null,
    h("button", { type: "button", onclick: done, text: "I have copied it" }),
  );
}

/**
 * The edit dialog: the endpoint's form in a native <dialog>. Resolves with the saved endpoint, or
 * null when cancelled.
 * @param {WebhookEndpoint} endpoint
 * @returns {Promise<WebhookEndpoint | null>}
 */
export function editDialog(endpoint) {
  return new Promise((resolve) => {
    /** @type {WebhookEndpoint | null} */
    let saved = null;
    const titleId = uid("dlg");
    const form = endpointForm({
      prefix: uid("we"),
      endpoint,
      submitLabel: "Save changes",
      submit: async (body) => {
        saved = /** @type {WebhookEndpoint} */ (
          await api(`/api/admin/webhooks/${endpoint.id}/`, { method: "PATCH", body })
        );
        dialog.close();
      },
      cancel: () => dialog.close(),
    });
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "hook-url", text: `Edit ${endpoint.url}` }),
      form.element,
    );
    dialog.addEventListener("close", () => {
      resolve(saved);
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * An endpoint's fields, the API's messages under each (anything else at the top). The page's
 * create form and the edit dialog are this form; after a create it empties itself.
 * @param {{ prefix: string, endpoint?: WebhookEndpoint, submitLabel: string, submit: (body: EndpointBody) => Promise<void>, cancel?: () => void }} options
 */
export function endpointForm({ prefix, endpoint, submitLabel, submit, cancel }) {
  const top = h("div", { class: "form-error", role: "alert", tabindex: -1 });
  /** @type {Record<string, HTMLElement>} */
  const messages = {};
  /** @type {Record<string, HTMLElement>} */
  const controls = {};
  /**
   * @param {string} name
   * @param {HTMLElement} control
   */
  const placed = (name, control) => {
    messages[name] = h("span", { class: "field-error", id: `${prefix}-${name}-msg` });
    controls[name] = control;
    control.setAttribute("aria-describedby", `${prefix}-${name}-msg`);
    return messages[name];
  };
  const url = h("input", {
    id: `${prefix}-url`,
    name: "url",
    type: "url",
    autocomplete: "off",
    required: true,
    placeholder: "https://example.com/hooks/shop",
    value: endpoint?.url,
  });
  const description = h("input", {
    id: `${prefix}-description`,
    name: "description",
    autocomplete: "off",
    value: endpoint?.description,
  });
  const boxes = EVENTS.map(([value]) =>
    h("input", { type: "checkbox", name: "events", value, checked: endpoint?.events.includes(value) }),
  );
  const events = h(
    "fieldset",
    { class: "hook-choices" },
    h("legend", { text: "Events" }),
    boxes.map((box, i) =>
      h(
        "label",
        { class: "check" },
        box,
        h("span", {}, h("code", { text: EVENTS[i][0] }), " ", h("span", { class: "muted small", text: EVENTS[i][1] })),
      ),
    ),
  );
  const follow = h("input", {
    id: `${prefix}-follow`,
    type: "checkbox",
    name: "follow_redirects",
    checked: endpoint?.follow_redirects,
  });
  const save = h("button", { type: "submit", class: "primary", text: submitLabel });
  const element = h(
    "form",
    { class: "hook-form", novalidate: true, "aria-label": endpoint ? `Edit ${endpoint.url}` : "Add an endpoint" },
    top,
    h("div", { class: "field" }, h("label", { for: `${prefix}-url`, text: "URL" }), url, placed("url", url)),
    h(
      "div",
      { class: "field" },
      h("label", { for: `${prefix}-description`, text: "Description (optional)" }),
      description,
      placed("description", description),
    ),
    events,
    placed("events", events),
    h(
      "label",
      { class: "check" },
      follow,
      h("span", { text: "Follow redirects (3xx answers); otherwise a redirect counts as a failure" }),
    ),
    placed("follow_redirects", follow),
    h(
      "div",
      { class: "actions" },
      cancel ? h("button", { type: "button", onclick: cancel, text: "Cancel" }) : null,
      save,
    ),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    top.textContent = "";
    for (const [name, msg] of Object.entries(messages)) {
      msg.textContent = "";
      controls[name].removeAttribute("aria-invalid");
    }
    save.disabled = true;
    try {
      await submit({
        url: url.value.trim(),
        events: boxes.filter((b) => b.checked).map((b) => b.value),
        description: description.value,
        follow_redirects: follow.checked,
      });
      if (!endpoint) element.reset();
    } catch (error) {
      const fields = fieldErrors(error);
      const unplaced = [];
      // "events.1" (one bad name in the list) belongs to the events.
      for (const [key, list] of Object.entries(fields ?? {})) {
        const name = key.split(".")[0];
        if (messages[name]) {
          messages[name].textContent = [messages[name].textContent, ...list].filter(Boolean).join(" ");
          controls[name].setAttribute("aria-invalid", "true");
        } else unplaced.push(...list);
      }
      top.textContent = unplaced.length ? unplaced.join(" ") : fields ? "" : messageOf(error);
      // A fieldset takes no focus: its first box does.
      const invalid = element.querySelector("[aria-invalid=true]");
      /** @type {HTMLElement | null} */ (
        invalid?.matches("fieldset") ? invalid.querySelector("input") : (invalid ?? top)
      )?.focus();
    } finally {
      save.disabled = false;
    }
  });
  return { element };
}
