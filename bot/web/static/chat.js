// The chat page. Every reply string is inserted as text (textContent and text nodes): nothing
// from a user or the content is ever parsed as HTML. Hotline numbers become tel: links built
// node by node, so a reply can never smuggle markup in through them.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var send = document.getElementById("send");
  var busy = false;
  var session = null;
  try { session = sessionStorage.getItem("wenjiao-session"); } catch (e) { session = null; }

  // 110 police, 120 ambulance, 12356 mental health, 12355 youth, 12345 government service.
  // Not inside a longer number or a decimal, and not a count ("110个", "120名").
  var HOTLINE = /(^|[^\d.])(110|120|12356|12355|12345)(?!\d|\.\d|[个名所家人次万亿元项条件%％])/g;
  var TEXTS = {
    zh: { up: "有帮助", down: "没帮助", group: "这条回答有帮助吗？", thanks: "谢谢您的反馈！",
          failed: "反馈没有保存，请稍后再试。" },
    en: { up: "Helpful", down: "Not helpful", group: "Was this answer helpful?",
          thanks: "Thank you for your feedback!", failed: "The feedback was not saved; please try again later." }
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Text into node, with each hotline number as <a href="tel:…">.
  function linked(node, text) {
    var last = 0, m;
    HOTLINE.lastIndex = 0;
    while ((m = HOTLINE.exec(text)) !== null) {
      var start = m.index + m[1].length;
      if (start > last) node.appendChild(document.createTextNode(text.slice(last, start)));
      var a = el("a", null, m[2]);
      a.href = "tel:" + m[2];
      node.appendChild(a);
      last = start + m[2].length;
      HOTLINE.lastIndex = last;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
    return node;
  }

  function vote(exchangeId, value, buttons, status, t) {
    fetch("/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ exchange_id: exchangeId, session: session, value: value })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.error) { status.textContent = body.error.message || t.failed; return; }
      buttons.forEach(function (b) {
        b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-value")) === body.value));
      });
      status.textContent = t.thanks;
    }).catch(function () { status.textContent = t.failed; });
  }

  function votes(reply) {
    var t = TEXTS[reply.lang === "en" ? "en" : "zh"];
    var box = el("div", "vote");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", t.group);
    var status = el("span", "status");
    var buttons = [[1, "👍", t.up], [-1, "👎", t.down]].map(function (v) {
      // The word is shown too: some devices have no emoji font, and a voice user says it.
      var b = el("button");
      var icon = el("span", null, v[1] + " ");
      icon.setAttribute("aria-hidden", "true");
      b.appendChild(icon);
      b.appendChild(document.createTextNode(v[2]));
      b.type = "button";
      b.setAttribute("data-value", String(v[0]));
      b.setAttribute("aria-label", v[2]);
      b.setAttribute("aria-pressed", "false");
      return b;
    });
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        vote(reply.exchange_id, Number(b.getAttribute("data-value")), buttons, status, t);
      });
      box.appendChild(b);
    });
    box.appendChild(status);
    return box;
  }

  function options(list) {
    var box = el("div", "options");
    list.forEach(function (opt, i) {
      var b = el("button", null, (i + 1) + ". " + opt.title);
      b.type = "button";
      b.addEventListener("click", function () { ask(opt.title); });
      box.appendChild(b);
    });
    return box;
  }

  // Options of replies before this one stay usable (the dialogue offers them again) but look
  // inactive, so the newest choices are the obvious ones.
  function dimEarlierOptions() {
    Array.prototype.forEach.call(log.querySelectorAll(".options"), function (box) {
      box.classList.add("stale");
    });
  }

  function add(who, text, reply) {
    if (who === "bot") dimEarlierOptions();
    var msg = el("div", "msg " + who + (reply && reply.kind === "crisis" ? " crisis" : ""));
    msg.appendChild(who === "bot" ? linked(el("div", "bubble"), text) : el("div", "bubble", text));
    if (reply && reply.source) msg.appendChild(el("div", "source", "出处：" + reply.source));
    if (reply && reply.options && reply.options.length) msg.appendChild(options(reply.options));
    if (reply && reply.kind === "answer" && reply.exchange_id) msg.appendChild(votes(reply));
    log.appendChild(msg);
    log.scrollTop = log.scrollHeight;
  }

  function ask(text, shown) {
    if (busy) return;
    busy = true;
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
    }).then(function () { busy = false; send.disabled = false; input.focus(); });
  }

  function fit() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    fit();
    ask(text);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", fit);
  Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (b) {
    b.addEventListener("click", function () { ask(b.getAttribute("data-text")); });
  });
})();
