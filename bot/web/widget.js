/*
 * Chat widget of the public-service assistant. Embed with one tag:
 *   <script src="https://ASSISTANT-HOST/webhooks/web/static/widget.js" defer></script>
 * Options (data-* attributes on that tag): data-server (default: the script's origin),
 * data-open="true" (open at load, used by the standalone page), data-title.
 * User and bot text is always rendered with textContent (never innerHTML); only http(s) links
 * become clickable. The session id and the conversation are kept in localStorage, so a reload
 * continues the same conversation.
 */
(function () {
  "use strict";
  if (window.__dvcChatLoaded) { return; }
  window.__dvcChatLoaded = true;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var scriptUrl = new URL(script.src, window.location.href);
  var server = (script.dataset.server || scriptUrl.origin).replace(/\/$/, "");
  var openAtLoad = script.dataset.open === "true";
  var title = script.dataset.title || "Trợ lý Dịch vụ công";
  var SESSION_KEY = "dvc-chat-session";
  var HISTORY_KEY = "dvc-chat-history";
  var MAX_HISTORY = 200;
  var URL_PATTERN = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

  var css = [
    ".dvc-launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;",
    "border-radius:28px;background:#c8102e;color:#fff;font:600 15px/1.2 system-ui,sans-serif;",
    "padding:14px 18px;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}",
    ".dvc-panel{position:fixed;right:16px;bottom:80px;z-index:2147483001;width:370px;",
    "max-width:calc(100vw - 32px);height:560px;max-height:calc(100vh - 100px);display:none;",
    "flex-direction:column;background:#fff;border-radius:12px;overflow:hidden;",
    "box-shadow:0 8px 28px rgba(0,0,0,.3);font:15px/1.4 system-ui,sans-serif;color:#1d1d1f}",
    ".dvc-panel.dvc-open{display:flex}",
    ".dvc-header{display:flex;align-items:center;justify-content:space-between;",
    "background:#c8102e;color:#fff;padding:12px 14px;font-weight:600}",
    ".dvc-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}",
    ".dvc-log{flex:1;overflow-y:auto;padding:12px;background:#f6f6f8}",
    ".dvc-msg{max-width:85%;margin:6px 0;padding:8px 12px;border-radius:14px;",
    "white-space:pre-wrap;overflow-wrap:anywhere}",
    ".dvc-bot{background:#fff;border:1px solid #e2e2e6;margin-right:auto}",
    ".dvc-user{background:#c8102e;color:#fff;margin-left:auto}",
    ".dvc-user a{color:#fff}",
    ".dvc-row{display:flex}",
    ".dvc-buttons{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}",
    ".dvc-button{border:1px solid #c8102e;background:#fff;color:#c8102e;border-radius:16px;",
    "padding:6px 12px;font:inherit;font-size:14px;cursor:pointer;text-decoration:none}",
    ".dvc-button:disabled{opacity:.5;cursor:default}",
    ".dvc-form{display:flex;border-top:1px solid #e2e2e6;background:#fff}",
    ".dvc-input{flex:1;border:0;padding:12px;font:inherit;min-width:0}",
    ".dvc-send{border:0;background:#c8102e;color:#fff;padding:0 16px;font:inherit;cursor:pointer}",
    ".dvc-status{font-size:12px;color:#6e6e73;padding:2px 12px;background:#fff}",
    "@media (max-width:480px){.dvc-panel{right:0;bottom:0;width:100vw;max-width:100vw;",
    "height:100%;max-height:100%;border-radius:0}}"
  ].join("");

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function isHttpUrl(value) {
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch (error) {
      return false;
    }
  }

  // Text with bare http(s) URLs turned into links; every piece is a text node or a safe <a>.
  function appendText(parent, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, url, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      if (isHttpUrl(url)) {
        var link = element("a", "", url);
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(url));
      }
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function loadHistory() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  var history = loadHistory();

  function saveHistory() {
    try {
      window.localStorage.setItem(HISTORY_KEY, JSON.stringify(history.slice(-MAX_HISTORY)));
    } catch (error) { /* storage full or disabled: the chat still works without history */ }
  }

  var style = element("style");
  style.textContent = css;
  document.head.appendChild(style);

  var launcher = element("button", "dvc-launcher", "💬 Hỏi trợ lý");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Mở hộp trò chuyện với " + title);
  var panel = element("section", "dvc-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var header = element("div", "dvc-header");
  header.appendChild(element("span", "", title));
  var close = element("button", "dvc-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Đóng");
  header.appendChild(close);
  var log = element("div", "dvc-log");
  log.setAttribute("aria-live", "polite");
  var status = element("div", "dvc-status", "");
  var form = element("form", "dvc-form");
  var input = element("input", "dvc-input");
  input.type = "text";
  input.maxLength = 2000;
  input.placeholder = "Nhập câu hỏi của bạn…";
  input.setAttribute("aria-label", "Câu hỏi");
  var send = element("button", "dvc-send", "Gửi");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(form);
  document.body.appendChild(launcher);
  document.body.appendChild(panel);

  function render(entry) {
    var row = element("div", "dvc-row");
    var bubble = element("div", "dvc-msg " + (entry.from === "user" ? "dvc-user" : "dvc-bot"));
    bubble.dataset.from = entry.from;
    appendText(bubble, entry.text || "");
    if (entry.text) {
      row.appendChild(bubble);
      log.appendChild(row);
    }
    if (entry.buttons && entry.buttons.length) {
      var buttons = element("div", "dvc-buttons");
      entry.buttons.forEach(function (button) {
        var node;
        if (button.url) {
          if (!isHttpUrl(button.url)) { return; }
          node = element("a", "dvc-button", button.title);
          node.href = button.url;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        } else {
          node = element("button", "dvc-button", button.title);
          node.type = "button";
          node.addEventListener("click", function () {
            sendMessage(button.title, button.payload);
          });
        }
        buttons.appendChild(node);
      });
      log.appendChild(buttons);
    }
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    history.push(entry);
    saveHistory();
    render(entry);
  }

  history.forEach(render);

  var socket = null;
  var sessionId = window.localStorage.getItem(SESSION_KEY);

  function sendMessage(shownText, payload) {
    var text = (payload || shownText || "").trim();
    if (!text || !socket || !sessionId) { return; }
    remember({ from: "user", text: shownText.trim() });
    socket.emit("user_uttered", { message: text, session_id: sessionId });
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") { return; }
    var entry = { from: "bot", text: typeof message.text === "string" ? message.text : "" };
    var replies = message.quick_replies || message.buttons || [];
    entry.buttons = replies.filter(function (button) {
      return button && typeof button.title === "string" &&
        (typeof button.payload === "string" || isHttpUrl(button.url));
    }).map(function (button) {
      return button.url ? { title: button.title, url: button.url }
        : { title: button.title, payload: button.payload };
    });
    var attachment = message.attachment;
    if (attachment && attachment.payload && isHttpUrl(attachment.payload.src)) {
      entry.text = (entry.text ? entry.text + "\n" : "") + attachment.payload.src;
    }
    if (entry.text || entry.buttons.length) { remember(entry); }
  }

  function connect(io) {
    socket = io(server, { path: "/socket.io", transports: ["websocket", "polling"] });
    socket.on("connect", function () {
      status.textContent = "";
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var isNew = confirmed !== sessionId;
      sessionId = confirmed;
      window.localStorage.setItem(SESSION_KEY, sessionId);
      panel.dataset.session = sessionId;
      if (isNew && history.length === 0) {
        socket.emit("user_uttered", { message: "/greet", session_id: sessionId });
      }
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function () {
      status.textContent = "Mất kết nối, đang thử kết nối lại…";
    });
    socket.on("connect_error", function () {
      status.textContent = "Không kết nối được máy chủ, đang thử lại…";
    });
  }

  function open() {
    panel.classList.add("dvc-open");
    launcher.style.display = "none";
    input.focus();
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", function () {
    panel.classList.remove("dvc-open");
    launcher.style.display = "";
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendMessage(input.value);
    input.value = "";
  });

  if (window.io) {
    connect(window.io);
  } else {
    var client = document.createElement("script");
    client.src = server + "/webhooks/web/static/socket.io.min.js";
    client.onload = function () { connect(window.io); };
    client.onerror = function () {
      status.textContent = "Không tải được trợ lý. Vui lòng thử lại sau.";
    };
    document.head.appendChild(client);
  }
  if (openAtLoad) { open(); }
})();
