// The one way the page talks to APILama: same-origin fetch (the session cookie goes along), JSON in and out,
// and every failure turned into an ApiError whose message is the service's own words.

/**
 * A failed call: `message` is what the service said (the error envelope's message), `status` the HTTP status,
 * `body` the parsed answer (null when it was not JSON).
 */
export class ApiError extends Error {
  constructor(message, status, code, body = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Where the gateway's sign-in page is, coming back to WebLama afterwards. */
export const signInURL = "/signin?next=/web/";

/** The message of an error body in any of the ecosystem's shapes, or null. */
function envelopeMessage(body) {
  if (!body || typeof body !== "object") return null;
  const err = body.error;
  if (err && typeof err === "object") return err.message || err.code || null;
  if (typeof err === "string" && err && body.status === "error") return err;
  if (typeof body.message === "string" && body.status === "error") return body.message;
  return null;
}

/** Words for any thrown value: an ApiError's message, a network failure, or the error's own text. */
export function errorText(error) {
  if (error instanceof ApiError) return error.message;
  if (error && error.name === "AbortError") return "stopped";
  if (error instanceof TypeError) return `the gateway cannot be reached (${error.message})`;
  return String(error && error.message ? error.message : error);
}

/** `path` with the query parameters that are set (null, undefined and "" are left out). */
function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Calls `path` and answers its JSON body.
 * options: method (GET), body (sent as JSON), query (object), signal (AbortSignal), allow401 (do not redirect).
 * A 401 sends the page to the sign-in page unless allow401; any non-2xx or error envelope throws ApiError.
 */
export async function api(path, options = {}) {
  const init = { method: options.method || "GET", credentials: "same-origin", headers: {}, signal: options.signal };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(path, options.query), init);
  const text = await response.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  if (response.status === 401 && !options.allow401) {
    window.location.assign(signInURL);
    throw new ApiError("not signed in: going to the sign-in page", 401, "unauthorized");
  }
  const message = envelopeMessage(body);
  if (!response.ok || (message && body.status === "error")) {
    const fallback = text && !body ? text.slice(0, 200) : `${response.status} ${response.statusText}`;
    const code = body && body.error && body.error.code;
    throw new ApiError(message || `HTTP ${fallback}`, response.status, code, body);
  }
  return body === null ? {} : body;
}
