// The workbench's own script (the Content-Security-Policy allows no inline script or handler).
"use strict";

// colour swatches: colours come as data attributes (no inline styles under the CSP), in the page
// and in what htmx brings into it later (a plan's tables)
function paintSwatches(root) {
  for (const el of root.querySelectorAll("[data-colour]")) {
    el.style.background = el.dataset.colour;
  }
}
document.addEventListener("DOMContentLoaded", () => paintSwatches(document));
document.addEventListener("htmx:load", (event) => paintSwatches(event.detail.elt));

// a page polled by htmx that answers 401 (signed out meanwhile) goes to the sign-in page
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 401) {
    window.location.assign("/login");
  }
});
