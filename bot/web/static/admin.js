// The admin's small conveniences; every page also works without this script. Text from the
// server is inserted with textContent only, never parsed as HTML.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The menu (a <details>): open on a wide screen even where the browser cannot show a closed
  // <details>' content through CSS; on a phone, close it on Escape or a tap outside it.
  var menu = document.getElementById("menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 900px)");
    var sync = function () { menu.open = wide.matches; };
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
    document.addEventListener("click", function (ev) {
      if (!wide.matches && menu.open && !menu.contains(ev.target)) menu.open = false;
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !wide.matches && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // Phrasings: add a row, remove a row.
  var list = document.getElementById("questions");
  var add = document.getElementById("add-question");
  function bindRemove(button) {
    button.addEventListener("click", function () {
      var item = button.closest("li");
      if (list.children.length > 1) { item.remove(); } else { item.querySelector("input").value = ""; }
    });
  }
  if (list) Array.prototype.forEach.call(list.querySelectorAll("[data-remove]"), bindRemove);
  if (list && add) {
    add.addEventListener("click", function () {
      var item = el("li");
      var input = el("input");
      input.name = "questions";
      input.placeholder = "新问法";
      input.setAttribute("aria-label", "新问法");
      var remove = el("button", "remove", "删除");
      remove.type = "button";
      bindRemove(remove);
      item.appendChild(input);
      item.appendChild(remove);
      list.appendChild(item);
      input.focus();
    });
  }

  // Confirm before destructive actions.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("a[data-back]"), function (a) {
    a.addEventListener("click", function (ev) {
      if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
    });
  });

  // Try a question: show the ranked candidates under the box.
  var outcomes = { answer: "直接回答", clarify: "请用户选择", fallback: "无法回答" };
  var tryForm = document.getElementById("try");
  var results = document.getElementById("try-results");
  if (tryForm && results) {
    tryForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var params = new URLSearchParams(new FormData(tryForm));
      params.set("format", "json");
      results.textContent = "正在计算…";
      fetch("/admin/try?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
        .then(function (pair) {
          var ok = pair[0], data = pair[1];
          results.textContent = "";
          if (!ok) { results.appendChild(el("p", "error", (data.error && data.error.message) || "出错了")); return; }
          var box = el("div", "try-result");
          box.appendChild(el("p", "outcome", "结果：" + (outcomes[data.outcome] || data.outcome) +
            "（回答门槛 " + data.threshold.toFixed(2) + (data.with_draft ? "，按草稿" : "") + "）"));
          var ol = el("ol");
          data.candidates.forEach(function (c) {
            var li = el("li");
            li.appendChild(el("strong", null, c.score.toFixed(3) + " "));
            li.appendChild(el("span", null, c.title + " "));
            li.appendChild(el("code", null, c.id));
            li.appendChild(el("div", "parts", "最接近的问法：" + c.question));
            var parts = Object.keys(c.parts).map(function (k) { return k + " " + c.parts[k].toFixed(2); });
            li.appendChild(el("div", "parts", parts.join(" · ")));
            ol.appendChild(li);
          });
          if (!data.candidates.length) box.appendChild(el("p", null, "没有候选条目。"));
          box.appendChild(ol);
          results.appendChild(box);
        })
        .catch(function () { results.textContent = "网络出错，请重试。"; });
    });
  }
})();
