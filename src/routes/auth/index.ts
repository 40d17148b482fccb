import auth from "./auth.routes";

export default auth;
