// Search-as-you-type for the forms' reference fields: each <input data-suggest="KIND"> gets its
// <datalist> filled from /api/suggest with the names the account may see. Without this script
// the form still works: the server resolves a typed name, or lists the candidates.
(function () {
  var fields = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(fields, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q === "" || q === asked || /（[^（）]*）$/.test(q)) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = q;
        var url = "/api/suggest?kind=" + encodeURIComponent(input.getAttribute("data-suggest")) +
          "&q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            if (asked !== q) return;
            list.textContent = "";
            (data.items || []).forEach(function (c) {
              var o = document.createElement("option");
              o.value = c.label;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
