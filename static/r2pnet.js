// r2pnet: small progressive enhancements; every page works without them.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-filter-for]")) return;
  var list = document.getElementById(box.getAttribute("data-filter-for"));
  var words = box.value.toLowerCase().trim();
  list.querySelectorAll("[data-label]").forEach(function (item) {
    var checked = item.querySelector("input").checked;
    item.hidden = words !== "" && !checked && item.getAttribute("data-label").indexOf(words) === -1;
  });
});
