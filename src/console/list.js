// @ts-check
// The list pages' one loop (products, orders, customers): read a page for the view's filters,
// show its rows or a note that none match, then the pager; loading, errors and Retry in place.

import { ApiError } from "./api.js";
import { errorBox, fill, h, loading, pager } from "./dom.js";

/** @import { Page } from "./types.js" */

/**
 * @template T
 * @typedef {object} ListOptions
 * @property {HTMLElement} results where the list goes
 * @property {{ page: number }} state the view's filters; the pager moves `page`
 * @property {number} pageSize
 * @property {string} loadingText "Loading orders"
 * @property {string} emptyText shown instead of the table when no rows match
 * @property {string} noun what the pager counts, plural ("orders")
 * @property {() => Promise<Page<T> | T[]>} read asks the API for `state`; views also note `state`
 *   in the hash here, so every load, Retry and page move keeps it
 * @property {(rows: T[]) => Node} table
 * @property {(rows: T[]) => Node} [unpaged] shown under a plain array (no pages) instead of the pager
 * @property {() => void} [shown] runs once rows are on screen
 */

/**
 * @template T
 * @param {ListOptions<T>} options
 * @returns {{ load: () => Promise<void>, dispose: () => void }}
 */
export function pagedList({ results, state, pageSize, loadingText, emptyText, noun, read, table, unpaged, shown }) {
  let disposed = false;
  // Filters change faster than the API answers: only the latest load may fill the list.
  let generation = 0;

  /** @returns {Promise<void>} */
  async function load() {
    const mine = ++generation;
    results.setAttribute("aria-busy", "true");
    // Rows already shown stay (marked busy) until the next ones arrive; an error box does not.
    if (!results.firstChild || results.querySelector(".alert")) fill(results, loading(loadingText));
    try {
      const answer = await read();
      if (mine !== generation || disposed) return;
      const rows = Array.isArray(answer) ? answer : answer.results;
      fill(
        results,
        rows.length ? table(rows) : h("p", { class: "empty", text: emptyText }),
        Array.isArray(answer) ? unpaged?.(rows) : pager(state.page, answer.count, pageSize, goTo, noun),
      );
      shown?.();
    } catch (error) {
      if (mine !== generation || disposed) return;
      // The list shrank under a later page (or the hash asked for one past the end).
      if (error instanceof ApiError && error.status === 404 && state.page > 1) return goTo(1);
      fill(results, errorBox(error, load));
    } finally {
      if (mine === generation) results.removeAttribute("aria-busy");
    }
  }

  /**
   * @param {number} page
   * @returns {Promise<void>}
   */
  function goTo(page) {
    state.page = page;
    return load();
  }

  return {
    load,
    dispose() {
      disposed = true;
    },
  };
}
