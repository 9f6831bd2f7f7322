/* The campaign page's section bar (nav.section-nav, templates/projects/show.html): marks the link of
   the section being read with aria-current="location", so a person scrolling a long page on a phone
   sees where they are. The links are plain anchors: they work, and reach their card in one tap,
   without this script. */
(function () {
  "use strict";
  var nav = document.querySelector("nav.section-nav");
  if (!nav) { return; }
  var links = Array.prototype.slice.call(nav.querySelectorAll('a[href^="#"]'));
  var targets = links.map(function (link) { return document.getElementById(link.getAttribute("href").slice(1)); });
  var pending = false;

  function mark(index) {
    links.forEach(function (link, i) {
      if (i === index) { link.setAttribute("aria-current", "location"); } else { link.removeAttribute("aria-current"); }
    });
  }

  // The section being read: the last one whose top has passed just below the bar; at the foot
  // of the page, the last one (a short last card never reaches the bar).
  function current() {
    var line = nav.getBoundingClientRect().bottom + 16;
    var scroller = document.scrollingElement || document.documentElement;
    if (window.innerHeight + window.scrollY >= scroller.scrollHeight - 2) {
      for (var last = targets.length - 1; last >= 0; last -= 1) { if (targets[last]) { return last; } }
    }
    var found = -1;
    targets.forEach(function (target, i) {
      if (target && target.getBoundingClientRect().top <= line) { found = i; }
    });
    return found;
  }

  function update() {
    pending = false;
    mark(current());
  }

  window.addEventListener("scroll", function () {
    if (!pending) { pending = true; window.requestAnimationFrame(update); }
  }, { passive: true });
  window.addEventListener("resize", update);
  window.addEventListener("hashchange", update);
  update();
})();
