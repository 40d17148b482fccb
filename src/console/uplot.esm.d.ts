// uPlot as the console loads it: build-assets.mjs copies node_modules/uplot/dist/uPlot.esm.js to
// public/admin/uplot.esm.js; this file lends it the package's own types for the type-check.
import uPlot from "uplot";

export default uPlot;
