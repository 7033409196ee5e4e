// The workbench's own script (the Content-Security-Policy allows no inline script or handler).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // colour swatches: colours come as data attributes (no inline styles under the CSP)
  for (const el of document.querySelectorAll("[data-colour]")) {
    el.style.background = el.dataset.colour;
  }
});

// a page polled by htmx that answers 401 (signed out meanwhile) goes to the sign-in page
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 401) {
    window.location.assign("/login");
  }
});
