// @ts-check
// The staff console: sign-in, the shell (navigation, live indicator), and a hash router.

import { ApiError, currentUser, onSessionEnd, resume, signIn, signOut } from "./api.js";
import carts from "./carts.js";
import categories from "./categories.js";
import customer from "./customer.js";
import customers from "./customers.js";
import dashboard from "./dashboard.js";
import { errorBox, fill, h, toast } from "./dom.js";
import { forgetFeedPosition, startFeed } from "./feed.js";
import order from "./order.js";
import orders from "./orders.js";
import products from "./products.js";
import webhooks from "./webhooks.js";

/** @import { FeedEvent, WebhookDisabled } from "./types.js" */
/** @import { FeedState } from "./feed.js" */

/**
 * What a page's render function returns: how the shell tells it about the feed and leaving.
 * @typedef {{ dispose?: () => void, resync?: () => void, onFeed?: (msg: FeedEvent) => void, onNotice?: (msg: WebhookDisabled) => void }} View
 */

/** @type {[RegExp, (root: HTMLElement, ...params: string[]) => View, string][]} */
const routes = [
  [/^\/dashboard$/, dashboard, "Dashboard"],
  [/^\/products$/, products, "Products"],
  [/^\/categories$/, categories, "Categories"],
  [/^\/orders$/, orders, "Orders"],
  [/^\/orders\/(\d+)$/, order, "Order"],
  [/^\/customers$/, customers, "Customers"],
  [/^\/customers\/(\d+)$/, customer, "Customer"],
  [/^\/carts$/, carts, "Carts"],
  [/^\/webhooks$/, webhooks, "Webhooks"],
];
/** The landing page. */
const HOME = "/dashboard";

// index.html has them all.
const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const bar = /** @type {HTMLElement} */ (document.getElementById("bar"));
const live = /** @type {HTMLElement} */ (document.getElementById("live"));
const who = /** @type {HTMLElement} */ (document.getElementById("who"));
/** @type {ReturnType<typeof startFeed> | null} */
let feed = null;
/** @type {View | null} */
let view = null;

/** @param {FeedState} state */
function setLive({ state, retryIn }) {
  const labels = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: retryIn ? `Reconnecting in ${Math.max(1, Math.round(retryIn / 1000))} s…` : "Reconnecting…",
    stopped: "Offline",
  };
  live.dataset.state = state;
  /** @type {HTMLElement} */ (live.querySelector(".label")).textContent = labels[state];
  live.title =
    state === "live"
      ? "Order events arrive as they happen"
      : "Not receiving live order events; the console catches up when it reconnects";
}

function route() {
  view?.dispose?.();
  view = null;
  const path = (location.hash.slice(1).split("?")[0] || HOME).replace(/\/$/, "") || HOME;
  const match = routes.find(([pattern]) => pattern.test(path));
  for (const link of document.querySelectorAll("#nav a")) {
    const current = path.startsWith(/** @type {string} */ (link.getAttribute("href")).slice(1));
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!match) {
    fill(
      main,
      h("h1", { tabindex: -1, text: "Not found" }),
      h("p", {}, "No such page. ", h("a", { href: `#${HOME}`, text: "Go to the dashboard" })),
    );
    return;
  }
  const [pattern, render, title] = match;
  document.title = `${title} · edge-shop staff`;
  const params = /** @type {RegExpExecArray} */ (pattern.exec(path)).slice(1);
  view = render(main, ...params) ?? null;
}

/** @param {FeedEvent} msg */
function onFeedEvent(msg) {
  if (msg.type === "order_created") toast(msg.message, "live");
  view?.onFeed?.(msg);
}

/** An endpoint the API disabled after failing deliveries: whatever page is on screen says so. @param {WebhookDisabled} msg */
function onNotice(msg) {
  toast(msg.message.includes(msg.url) ? msg.message : `${msg.message} (${msg.url})`, "error");
  view?.onNotice?.(msg);
}

function startShell() {
  const user = currentUser();
  who.textContent = user ? user.username : "";
  bar.hidden = false;
  feed?.stop();
  feed = startFeed({ onEvent: onFeedEvent, onNotice, onState: setLive, onResync: () => view?.resync?.() });
  if (!location.hash || location.hash === "#/signin") history.replaceState(null, "", `#${HOME}`);
  route();
}

/** @param {{ error?: string, info?: string }} [message] */
function showSignIn(message) {
  feed?.stop();
  feed = null;
  view?.dispose?.();
  view = null;
  bar.hidden = true;
  document.title = "Sign in · edge-shop staff";
  const error = h("div", { class: "form-error", role: "alert", text: message?.error ?? "" });
  const note = message?.info ? h("p", { class: "note", role: "status", text: message.info }) : null;
  const button = h("button", { type: "submit", class: "primary", text: "Sign in" });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const form = h(
    "form",
    { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title", text: "Staff console" }),
    h("p", { class: "muted", text: "Sign in with your staff account." }),
    note,
    error,
    h("div", { class: "field" }, h("label", { for: "username", text: "Username" }), username),
    h("div", { class: "field" }, h("label", { for: "password", text: "Password" }), password),
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      await signIn(username.value.trim(), password.value);
      forgetFeedPosition();
      startShell();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : String(e);
      password.select();
    } finally {
      button.disabled = false;
      button.textContent = "Sign in";
    }
  });
  fill(main, form);
  username.focus();
}

/** @type {HTMLElement} */ (document.getElementById("signout")).addEventListener("click", async () => {
  feed?.stop();
  await signOut();
  forgetFeedPosition();
  history.replaceState(null, "", "#/signin");
  showSignIn({ info: "You are signed out." });
});

window.addEventListener("hashchange", () => {
  if (!currentUser()) return showSignIn();
  route();
  // Keyboard and screen-reader users land on the new page's heading.
  main.querySelector("h1")?.focus({ preventScroll: false });
});

async function boot() {
  fill(main, h("p", { class: "loading", role: "status", text: "Loading…" }));
  try {
    if (await resume()) startShell();
    else showSignIn();
  } catch (error) {
    fill(main, errorBox(error, boot));
  }
}

onSessionEnd((reason) => showSignIn({ error: reason }));

boot();
