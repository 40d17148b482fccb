import webhooks from "./webhooks.routes";

export default webhooks;
