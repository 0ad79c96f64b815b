/* The examinee's paper: every answer is sent the moment it is given (text after a short pause),
   kept in localStorage until the server confirms it, so a reload or a dropped connection loses
   nothing; the countdown runs from the server's remaining seconds and is corrected by every
   answer the server confirms; at zero the paper is submitted. Switches away are reported. */
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) { return; }
  var clock = document.getElementById("clock");
  var status = document.getElementById("status");
  var key = "fazhi-exam:" + form.dataset.answer;
  var pending = load();
  var sending = {};
  var finished = false;
  var endAt = Date.now() + Number(clock.dataset.remaining) * 1000;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function store() {
    try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function show(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  }

  function valuesOf(fieldset) {
    var kind = fieldset.dataset.kind;
    if (kind === "blank") {
      var text = fieldset.querySelector("input").value;
      return text.split(/[;；]/).map(function (s) { return s.trim(); }).filter(Boolean);
    }
    if (kind === "essay") {
      var body = fieldset.querySelector("textarea").value.trim();
      return body ? [body] : [];
    }
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return i.value; });
  }

  function applyPending() {
    Object.keys(pending).forEach(function (qid) {
      var fieldset = form.querySelector('[data-question="' + qid + '"]');
      if (!fieldset) { return; }
      var values = pending[qid];
      var kind = fieldset.dataset.kind;
      if (kind === "blank") { fieldset.querySelector("input").value = values.join("；"); }
      else if (kind === "essay") { fieldset.querySelector("textarea").value = values.join(""); }
      else {
        fieldset.querySelectorAll("input").forEach(function (input) { input.checked = values.indexOf(input.value) >= 0; });
      }
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      keepalive: true
    });
  }

  function send(qid) {
    if (sending[qid] || !(qid in pending) || finished) { return; }
    var values = pending[qid];
    var body = new URLSearchParams();
    body.append("question", qid);
    values.forEach(function (v) { body.append("value", v); });
    sending[qid] = true;
    show("保存中…");
    post(form.dataset.answer, body).then(function (response) {
      return response.json().then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      sending[qid] = false;
      if (result.response.ok) {
        if (JSON.stringify(pending[qid]) === JSON.stringify(values)) { delete pending[qid]; store(); }
        endAt = Date.now() + result.data.remaining * 1000;
        show("已保存");
        if (result.data.explanation !== undefined || result.data.answer) { feedback(qid, result.data); }
        if (qid in pending) { send(qid); }
      } else if (result.response.status === 409 || result.response.status === 410) {
        stop(result.data.detail);
      } else {
        delete pending[qid]; store();
        show(result.data.detail || "答案未保存", true);
      }
    }).catch(function () {
      sending[qid] = false;
      show("网络中断，答案已暂存在本机，恢复后自动保存", true);
      setTimeout(function () { send(qid); }, 3000);
    });
  }

  function feedback(qid, data) {
    var box = form.querySelector('[data-question="' + qid + '"] .sitting-feedback');
    if (!box) { return; }
    box.hidden = false;
    box.textContent = "参考答案：" + (data.answer || []).join("") + (data.explanation ? "　解析：" + data.explanation : "") + (data.basis ? "　依据：" + data.basis : "");
  }

  function remember(fieldset) {
    pending[fieldset.dataset.question] = valuesOf(fieldset);
    store();
    send(fieldset.dataset.question);
  }

  var timers = {};
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset");
    if (fieldset) { remember(fieldset); }
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset");
    if (!fieldset || (fieldset.dataset.kind !== "blank" && fieldset.dataset.kind !== "essay")) { return; }
    clearTimeout(timers[fieldset.dataset.question]);
    timers[fieldset.dataset.question] = setTimeout(function () { remember(fieldset); }, 800);
  });

  function stop(message) {
    finished = true;
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
    if (message) { show(message, true); }
    window.location.href = form.dataset.done;
  }

  function submit(auto) {
    if (finished) { return; }
    finished = true;
    show(auto ? "考试时间到，正在自动交卷…" : "正在交卷…");
    // Answers not yet confirmed go along first; the server refuses nothing in the grace period.
    var flushes = Object.keys(pending).map(function (qid) {
      var body = new URLSearchParams();
      body.append("question", qid);
      pending[qid].forEach(function (v) { body.append("value", v); });
      return post(form.dataset.answer, body).catch(function () { return null; });
    });
    Promise.all(flushes).then(function () {
      return post(form.dataset.submit, new URLSearchParams(auto ? { auto: "1" } : {}));
    }).then(function () {
      finished = false;
      stop();
    }).catch(function () {
      finished = false;
      show("网络中断，恢复后将自动交卷", true);
      setTimeout(function () { submit(auto); }, 3000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (window.confirm("确定交卷吗？交卷后不能再修改。")) { submit(false); }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !finished) {
      post(form.dataset.switch, new URLSearchParams()).catch(function () { return null; });
    }
  });

  function tick() {
    var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    clock.textContent = (minutes < 10 ? "0" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    clock.classList.toggle("urgent", left <= 60);
    if (left === 0) { submit(true); return; }
    setTimeout(tick, 500);
  }

  applyPending();
  Object.keys(pending).forEach(send);
  tick();
}());
