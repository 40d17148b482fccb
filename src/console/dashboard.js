// @ts-check
// Dashboard, the console's landing page: today's tiles, revenue and orders per day as charts
// (uPlot, served from /admin/ like the rest), totals and top products for a range, all from one
// read of GET /api/admin/stats/. A feed event re-reads it, so a new order shows within a second.

import { api } from "./api.js";
import { debounce, errorBox, fill, grid, h, hashQuery, loading, money, setHashQuery, toolbar } from "./dom.js";
import uPlot from "./uplot.js";

/** @import { Stats, StatsPoint, TopProduct } from "./types.js" */

const PRESETS = [
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
  ["custom", "Custom range"],
];
const CHART_HEIGHT = 220;
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
/** The browser's zone: days start at the staff member's midnight. */
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** @param {Date} d a local calendar day as YYYY-MM-DD */
const isoDay = (d) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/** @param {number} days the last `days` days, today included */
function lastDays(days) {
  const to = new Date();
  const from = new Date(to.getFullYear(), to.getMonth(), to.getDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(to) };
}

/** @param {HTMLElement} root */
export default function dashboard(root) {
  const q = hashQuery();
  const preset = PRESETS.some(([v]) => v === q.range) ? q.range : q.from && q.to ? "custom" : "30";
  const state = { range: preset, ...(preset === "custom" ? { from: q.from, to: q.to } : lastDays(Number(preset))) };
  /** @type {uPlot[]} */
  let charts = [];
  let disposed = false;
  let generation = 0;

  const fromInput = h("input", { id: "d-from", type: "date", value: state.from, onchange: () => custom() });
  const toInput = h("input", { id: "d-to", type: "date", value: state.to, onchange: () => custom() });
  const rangeSelect = h(
    "select",
    { id: "d-range", onchange: () => choose() },
    PRESETS.map(([value, label]) => h("option", { value, selected: value === state.range, text: label })),
  );
  const tiles = h("section", { class: "tiles", "aria-label": "Today" });
  const body = h("div", { class: "results" });

  fill(
    root,
    h(
      "div",
      { class: "heading" },
      h("h1", { tabindex: -1, text: "Dashboard" }),
      h("p", { class: "muted small", text: `Times in ${TZ}` }),
    ),
    tiles,
    toolbar(
      "Choose the dates",
      h("div", { class: "field" }, h("label", { for: "d-range", text: "Range" }), rangeSelect),
      h("div", { class: "field" }, h("label", { for: "d-from", text: "From" }), fromInput),
      h("div", { class: "field" }, h("label", { for: "d-to", text: "To (inclusive)" }), toInput),
    ),
    body,
  );

  function choose() {
    state.range = rangeSelect.value;
    if (state.range !== "custom") Object.assign(state, lastDays(Number(state.range)));
    fromInput.value = state.from;
    toInput.value = state.to;
    load();
  }

  function custom() {
    if (!fromInput.value || !toInput.value) return;
    Object.assign(state, { range: "custom", from: fromInput.value, to: toInput.value });
    rangeSelect.value = "custom";
    load();
  }

  async function load() {
    const mine = ++generation;
    setHashQuery("/dashboard", state.range === "custom" ? state : { range: state.range === "30" ? "" : state.range });
    body.setAttribute("aria-busy", "true");
    if (!body.firstChild || body.querySelector(".alert")) fill(body, loading("Loading figures"));
    try {
      const stats = /** @type {Stats} */ (
        await api("/api/admin/stats/", { query: { from: state.from, to: state.to, tz: TZ, bucket: "day" } })
      );
      if (mine !== generation || disposed) return;
      show(stats);
    } catch (error) {
      if (mine !== generation || disposed) return;
      for (const chart of charts) chart.destroy();
      charts = [];
      resizing.disconnect();
      fill(body, errorBox(error, load));
    } finally {
      if (mine === generation) body.removeAttribute("aria-busy");
    }
  }

  /** @param {Stats} s */
  function show(s) {
    fill(
      tiles,
      tile("revenue", "Revenue today", money(s.today.revenue)),
      tile("orders", "Orders today", s.today.orders, s.today.cancelled ? `${s.today.cancelled} cancelled` : ""),
      tile("pending", "Pending orders", s.orders_by_status.pending, "", "#/orders?status=pending"),
      tile("low-stock", "Low stock", s.stock.low, `${s.stock.out} out of stock`, "#/products?stock=low"),
    );
    const days = s.series.map((p) => Date.parse(p.start) / 1000);
    // Drawn only: the chart needs numbers, the money shown in text stays the API's decimal strings.
    const revenue = s.series.map((p) => Number(p.revenue));
    const orders = s.series.map((p) => p.orders);
    if (charts.length && body.contains(charts[0].root)) {
      charts[0].setData([days, revenue]);
      charts[1].setData([days, orders]);
      mark(s.series);
      fill(/** @type {HTMLElement} */ (body.querySelector(".summary")), summary(s));
      fill(/** @type {HTMLElement} */ (body.querySelector(".tops")), tops(s));
      fill(/** @type {HTMLElement} */ (body.querySelector(".series-table")), seriesTable(s.series));
      return;
    }
    const revenueBox = h("div", { class: "chart", id: "chart-revenue" });
    const ordersBox = h("div", { class: "chart", id: "chart-orders" });
    fill(
      body,
      h("section", { class: "summary", "aria-label": "The range in figures" }, summary(s)),
      h(
        "div",
        { class: "charts" },
        h("figure", { class: "panel" }, h("figcaption", { text: "Revenue per day" }), revenueBox),
        h("figure", { class: "panel" }, h("figcaption", { text: "Orders per day" }), ordersBox),
      ),
      h(
        "details",
        { class: "panel" },
        h("summary", { text: "The figures per day as a table" }),
        h("div", { class: "series-table" }, seriesTable(s.series)),
      ),
      h("div", { class: "tops" }, tops(s)),
    );
    for (const chart of charts) chart.destroy();
    resizing.disconnect();
    charts = [
      plot(revenueBox, "Revenue", [days, revenue], "#1f5fd1", (v) => v.toFixed(2)),
      // Whole orders only on the axis.
      plot(ordersBox, "Orders", [days, orders], "#1d7a46", (v) => String(v), WHOLE),
    ];
    for (const chart of charts) resizing.observe(/** @type {HTMLElement} */ (chart.root.parentElement));
    mark(s.series);
  }

  /** What the charts show, on their boxes, for scripts and tests (canvas pixels say nothing). @param {StatsPoint[]} series */
  function mark(series) {
    charts[0].root.parentElement?.setAttribute("data-values", series.map((p) => p.revenue).join(","));
    charts[1].root.parentElement?.setAttribute("data-values", series.map((p) => p.orders).join(","));
  }

  /**
   * @param {HTMLElement} box
   * @param {string} label
   * @param {uPlot.AlignedData} data
   * @param {string} color
   * @param {(v: number) => string} format
   * @param {number[]} [incrs] the steps the value axis may use
   */
  function plot(box, label, data, color, format, incrs) {
    return new uPlot(
      {
        width: Math.max(240, box.clientWidth),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{}, { values: (_u, ticks) => ticks.map(format), size: 60, ...(incrs ? { incrs } : {}) }],
        series: [{}, { label, stroke: color, width: 2, fill: `${color}22`, points: { show: true, size: 5 } }],
      },
      data,
      box,
    );
  }

  // Charts follow their boxes' width (a phone turned, a window resized, the layout reflowed).
  const resizing = new ResizeObserver(() => {
    for (const chart of charts) {
      const box = /** @type {HTMLElement} */ (chart.root.parentElement);
      const width = Math.max(240, box.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height: CHART_HEIGHT });
    }
  });

  load();
  const reload = debounce(load, 150);
  return {
    dispose() {
      disposed = true;
      resizing.disconnect();
      for (const chart of charts) chart.destroy();
    },
    resync: load,
    onFeed: reload,
  };
}

/**
 * @param {string} name
 * @param {string} label
 * @param {string | number} value
 * @param {string} [note]
 * @param {string} [href]
 */
function tile(name, label, value, note = "", href = "") {
  const content = [
    h("span", { class: "tile-label", text: label }),
    h("span", { class: "tile-value", text: value }),
    note ? h("span", { class: "tile-note", text: note }) : null,
  ];
  return href
    ? h("a", { class: "tile", href, "data-tile": name }, content)
    : h("div", { class: "tile", "data-tile": name }, content);
}

/** @param {Stats} s */
function summary(s) {
  const item = (/** @type {string} */ label, /** @type {string | number} */ value) =>
    h("div", {}, h("dt", { text: label }), h("dd", { text: value }));
  return h(
    "dl",
    { class: "figures" },
    item("Revenue", money(s.totals.revenue)),
    item("Orders", s.totals.orders),
    item("Average order", money(s.totals.average_order_value)),
    item("Cancelled", s.totals.cancelled),
    item("New customers", s.totals.new_customers),
    h(
      "div",
      {},
      h("dt", {}, h("a", { href: "#/carts", text: "Open carts" })),
      h("dd", { text: `${s.open_carts.count} · ${money(s.open_carts.value)}` }),
    ),
  );
}

/** @param {StatsPoint[]} series */
function seriesTable(series) {
  return grid({
    class: "grid",
    headings: ["Day", "Orders", "Revenue", "Cancelled", "New customers"],
    rows: series.map((p) =>
      h(
        "tr",
        { "data-day": p.local },
        h("th", { scope: "row", text: p.local }),
        h("td", { "data-label": "Orders", class: "num", text: p.orders }),
        h("td", { "data-label": "Revenue", class: "num", text: money(p.revenue) }),
        h("td", { "data-label": "Cancelled", class: "num", text: p.cancelled }),
        h("td", { "data-label": "New customers", class: "num", text: p.new_customers }),
      ),
    ),
  });
}

/** @param {Stats} s */
function tops(s) {
  /** @param {string} title @param {TopProduct[]} list @param {(p: TopProduct) => string} figure */
  const top = (title, list, figure) =>
    h(
      "section",
      { class: "panel top", "aria-label": title },
      h("h2", { text: title }),
      list.length
        ? h(
            "ol",
            {},
            list.map((p) =>
              h("li", {}, h("span", { class: "name", text: p.name }), h("span", { class: "num", text: figure(p) })),
            ),
          )
        : h("p", { class: "empty", text: "No sales in this range." }),
    );
  return [
    top("Top products by units", s.top_products.by_units, (p) => `${p.units} sold`),
    top("Top products by revenue", s.top_products.by_revenue, (p) => money(p.revenue)),
  ];
}
