// Confirmation before destructive actions: any form or button with data-confirm asks first.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
// Tree: expand/collapse all.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-tree-toggle]");
  if (!toggle) return;
  var open = toggle.getAttribute("data-tree-toggle") === "open";
  document.querySelectorAll("details.node").forEach(function (d) { d.open = open; });
});
