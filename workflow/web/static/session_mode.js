// Sitzungsmodus: one keystroke to the next or the previous TOP (n / p; Alt + arrow keys stay
// the browser's back and forward).
// The links work without this script; keys typed into a field are left alone.
(function () {
  "use strict";
  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function follow(name) {
    var link = document.querySelector('a[data-key="' + name + '"]');
    if (link) window.location.assign(link.href);
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.shiftKey || typing(event.target)) return;
    var key = event.key;
    if (key === "n") { event.preventDefault(); follow("next"); }
    else if (key === "p") { event.preventDefault(); follow("previous"); }
  });
})();
