// uPlot as the console loads it: build-assets.mjs makes public/admin/uplot.js of the package's
// minified build; this file lends it the package's own types for the type-check.
import uPlot from "uplot";

export default uPlot;
