// Who is signed in: the gateway's session cookie is HttpOnly, so the page asks /api/session, sends people
// without a session to the gateway's sign-in page, and signs out with DELETE /api/session.
import { api, signInURL, errorText } from "./api.js";
import { byId, sayError } from "./ui.js";

/** The signed-in caller `{name, role}`; redirects to the sign-in page (and never resolves) when there is none. */
export async function requireSession() {
  const session = await api("/api/session", { allow401: true }).catch((error) => {
    if (error.status === 401) return null;
    throw error;
  });
  if (!session) {
    window.location.assign(signInURL);
    return new Promise(() => {});
  }
  byId("who").textContent = `${session.name} (${session.role})`;
  byId("who").title = "signed in";
  return session;
}

/** Wires the Sign out button. */
export function setUpSignOut() {
  byId("signout").addEventListener("click", async () => {
    try {
      await api("/api/session", { method: "DELETE", allow401: true });
    } catch (error) {
      if (error.status !== 401) return sayError("Sign out", errorText(error));
    }
    window.location.assign("/signin");
  });
}
