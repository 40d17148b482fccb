// @ts-check
// `npm start`'s control socket, inside workerd, on loopback: the launcher asks it every minute for
// the Cron sweep (workerd alone has no Cron Triggers), through the app's `Sweep` entrypoint. Like
// every local stand-in it wants the run's secret and refuses web pages.

/** @typedef {{ SWEEP: { run(): Promise<number> }; SECRET: string }} Env */

export default {
  /** @param {Request} request @param {Env} env */
  async fetch(request, env) {
    if (request.headers.has("origin")) return new Response("requests from web pages are refused", { status: 403 });
    if (request.headers.get("authorization") !== `Bearer ${env.SECRET}`)
      return new Response("wrong secret", { status: 401 });
    if (request.method !== "POST" || new URL(request.url).pathname !== "/sweep")
      return new Response("not found", { status: 404 });
    return Response.json({ delivered: await env.SWEEP.run() });
  },
};
