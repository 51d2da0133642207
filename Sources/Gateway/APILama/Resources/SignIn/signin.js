// The gateway's sign-in page: a token in, the HttpOnly session cookie out (POST /api/session), then back to the
// page the person was headed to (?next=, a path on this gateway only). Text is set with textContent only.
"use strict";

const message = document.getElementById("message");

function say(text, isError) {
  message.textContent = text;
  message.className = isError ? "error" : "";
}

// Only a local path: "/x" but not "//host" or "/\host", which a browser would read as another site.
function nextPath() {
  const next = new URLSearchParams(window.location.search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  return next;
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (ignored) {
    // not the error envelope
  }
  return "HTTP " + response.status;
}

function show(identity) {
  document.getElementById("signed-out").hidden = identity !== null;
  document.getElementById("signed-in").hidden = identity === null;
  if (identity) {
    document.getElementById("who").textContent = identity.name;
    document.getElementById("role").textContent = identity.role;
  } else {
    document.getElementById("token").focus();
  }
}

async function refresh() {
  const response = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  show(response.ok ? await response.json() : null);
}

async function signIn(event) {
  event.preventDefault();
  const field = document.getElementById("token");
  say("Signing in…", false);
  const response = await fetch("/api/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ token: field.value.trim() }),
  });
  field.value = "";
  if (!response.ok) {
    say("Sign-in failed: " + (await errorText(response)), true);
    return;
  }
  const next = nextPath();
  if (next) {
    window.location.assign(next);
    return;
  }
  say("Signed in.", false);
  show(await response.json());
}

async function signOut() {
  const response = await fetch("/api/session", { method: "DELETE", credentials: "same-origin" });
  say(response.ok ? "Signed out." : "Sign-out failed: " + (await errorText(response)), !response.ok);
  show(null);
}

document.getElementById("signin-form").addEventListener("submit", (event) => {
  signIn(event).catch((error) => say("Sign-in failed: " + error.message, true));
});
document.getElementById("signout-button").addEventListener("click", () => {
  signOut().catch((error) => say("Sign-out failed: " + error.message, true));
});
refresh().catch((error) => say("The gateway did not answer: " + error.message, true));
