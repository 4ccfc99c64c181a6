// The chat page. Every reply string is inserted with textContent: nothing from a user or the
// content is ever parsed as HTML.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var send = document.getElementById("send");
  var session = null;
  try { session = sessionStorage.getItem("wenjiao-session"); } catch (e) { session = null; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function add(who, text, extra) {
    var msg = el("div", "msg " + who + (extra && extra.kind === "crisis" ? " crisis" : ""));
    msg.appendChild(el("div", "bubble", text));
    if (extra && extra.source) msg.appendChild(el("div", "source", "出处：" + extra.source));
    if (extra && extra.options && extra.options.length) {
      var box = el("div", "options");
      extra.options.forEach(function (opt, i) {
        var b = el("button", null, (i + 1) + ". " + opt.title);
        b.type = "button";
        b.addEventListener("click", function () { ask(opt.title); });
        box.appendChild(b);
      });
      msg.appendChild(box);
    }
    log.appendChild(msg);
    log.scrollTop = log.scrollHeight;
  }

  function ask(text, shown) {
    add("me", shown || text);
    send.disabled = true;
    var body = { text: text };
    if (session) body.session = session;
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (reply) {
      if (reply.error) { add("bot", reply.error.message); return; }
      session = reply.session;
      try { sessionStorage.setItem("wenjiao-session", session); } catch (e) { /* private mode */ }
      add("bot", reply.text, reply);
    }).catch(function () {
      add("bot", "网络好像出了问题，请稍后再试。");
    }).then(function () { send.disabled = false; input.focus(); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (b) {
    b.addEventListener("click", function () { ask(b.getAttribute("data-text")); });
  });
})();
