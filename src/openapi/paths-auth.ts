import { loginSchema, profileSchema, refreshSchema, registerSchema } from "../routes/auth/auth.schemas";
import { ApiRoot, AuthResult, Detail, Health, Profile, ProfileUpdated, TokenNotValid, Tokens } from "./responses";
import { type ApiRoute, putAndPatch } from "./route";

const badToken = { description: "The refresh token is invalid, expired, or was already rotated (its family is then revoked).", schema: TokenNotValid };

export const authPaths: ApiRoute[] = [
  {
    method: "get", path: "/api", tag: "operations", summary: "API root: links to each resource", access: "anyone", noDb: true,
    ok: { status: 200, description: "Links", schema: ApiRoot },
  },
  {
    method: "get", path: "/api/health", tag: "operations", summary: "Health of the database and the cache", access: "anyone",
    ok: { status: 200, description: "The database answers (`cache` may still be `down` or `off`)", schema: Health },
    responses: { 503: { description: "The database does not answer", schema: Health } },
  },
  {
    method: "post", path: "/api/auth/register", tag: "auth", summary: "Register and receive tokens", access: "anyone",
    description: "Passwords: at least 8 characters, not all digits, not the username. Limited per client IP (`REGISTER_LIMIT_PER_IP` an hour).",
    body: registerSchema, errors: [429],
    ok: { status: 201, description: "Registered", schema: AuthResult },
  },
  {
    method: "post", path: "/api/auth/login", tag: "auth", summary: "Log in and receive tokens", access: "anyone",
    description: "Each login starts a token family. Failed logins are limited per username and per client IP.",
    body: loginSchema, errors: [429],
    ok: { status: 200, description: "Logged in", schema: AuthResult },
    responses: { 401: { description: "No active account found with the given credentials", schema: Detail } },
  },
  {
    method: "post", path: "/api/auth/token/refresh", tag: "auth", summary: "Rotate a refresh token", access: "anyone",
    description: "Answers a new access token and a new refresh token; the one sent stops working.",
    body: refreshSchema,
    ok: { status: 200, description: "New tokens", schema: Tokens },
    responses: { 401: badToken },
  },
  {
    method: "post", path: "/api/auth/logout", tag: "auth", summary: "Revoke a refresh token's family", access: "user",
    body: refreshSchema,
    ok: { status: 200, description: "Logged out", schema: Detail },
  },
  {
    method: "get", path: "/api/auth/profile", tag: "auth", summary: "Your profile", access: "user",
    ok: { status: 200, description: "Profile", schema: Profile },
  },
  ...putAndPatch({
    path: "/api/auth/profile", tag: "auth", summary: "Update your profile (any subset of the writable fields)", access: "user",
    description: "`username` and `email` are read-only and ignored.",
    body: profileSchema,
    ok: { status: 200, description: "Updated", schema: ProfileUpdated },
  }),
  {
    method: "get", path: "/api/schema", tag: "operations", summary: "This OpenAPI 3.1 document", access: "anyone", noDb: true,
    ok: { status: 200, description: "The document", schema: null, mediaType: "application/json" },
  },
  {
    method: "get", path: "/api/docs", tag: "operations", summary: "Interactive API docs (HTML)", access: "anyone", noDb: true,
    ok: { status: 200, description: "The docs page", schema: null, mediaType: "text/html" },
  },
];
