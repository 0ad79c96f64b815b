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
// "Select all" checkbox for a column of checkboxes with the given name.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute("data-check-all");
  if (!name) return;
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
// Long form posts (ZIP upload): say that work is under way and prevent a second click.
document.addEventListener("submit", function (event) {
  var busy = event.target.getAttribute("data-busy");
  if (!busy || event.defaultPrevented) return;
  event.target.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.textContent = busy; });
});
// Evidence uploader: drag and drop or pick many files; each is sent on its own request so
// that it gets its own progress bar and its own result, and one failure stops nothing else.
(function () {
  function row(list, file) {
    var li = document.createElement("li");
    li.innerHTML = '<span class="name"></span> <progress max="100" value="0"></progress> <span class="result muted">等待上传</span>';
    li.querySelector(".name").textContent = file.name;
    list.appendChild(li);
    return li;
  }
  function send(form, file, li) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      var unit = form.querySelector("[name=unit]");
      if (unit) data.append("unit", unit.value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      var bar = li.querySelector("progress"), result = li.querySelector(".result");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = null; }
        var results = answer && answer.results ? answer.results : [];
        var failed = results.filter(function (r) { return !r.ok; });
        bar.value = 100;
        if (!answer) { result.textContent = "上传失败（HTTP " + xhr.status + "）"; li.className = "failed"; }
        else if (failed.length) { result.textContent = failed.map(function (r) { return r.error; }).join("；"); li.className = results.length > failed.length ? "partial" : "failed"; }
        else { result.textContent = results.length > 1 ? "已上传（解压出 " + results.length + " 个文件）" : "已上传"; li.className = "done"; }
        resolve(!failed.length);
      };
      xhr.onerror = function () { result.textContent = "网络中断，未上传，请重试。"; li.className = "failed"; resolve(false); };
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.send(data);
      result.textContent = "上传中…";
    });
  }
  function upload(form, files) {
    var list = form.querySelector(".upload-list");
    var pending = Array.prototype.map.call(files, function (file) { return { file: file, li: row(list, file) }; });
    var chain = Promise.resolve();
    pending.forEach(function (p) { chain = chain.then(function () { return send(form, p.file, p.li); }); });
    chain.then(function () {
      // The material list below the uploader listens for this event and reloads itself (htmx);
      // without htmx, a link to reload the page instead.
      var done = document.createElement("li");
      if (window.htmx) {
        done.className = "muted";
        done.textContent = "全部处理完毕，材料列表已更新。";
        document.body.dispatchEvent(new CustomEvent("evidence-changed"));
      } else {
        done.innerHTML = '<a href="">全部处理完毕，刷新页面查看材料列表</a>';
      }
      list.appendChild(done);
    });
  }
  document.querySelectorAll("form[data-uploader]").forEach(function (form) {
    // Several pickers (files; a photo from the camera) feed the same uploader.
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () { upload(form, input.files); input.value = ""; });
    });
    form.addEventListener("dragover", function (e) { e.preventDefault(); form.classList.add("over"); });
    form.addEventListener("dragleave", function () { form.classList.remove("over"); });
    form.addEventListener("drop", function (e) { e.preventDefault(); form.classList.remove("over"); upload(form, e.dataTransfer.files); });
  });
})();

// Small screens: the menu button folds the navigation in and out (CSS hides it by default there;
// without script the button's #site-nav target opens it).
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-menu-toggle]");
  if (!toggle) return;
  event.preventDefault();
  var sidebar = document.getElementById(toggle.getAttribute("href").slice(1));
  var open = sidebar.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  toggle.textContent = open ? "收起" : "菜单";
});

// Tables as cards on small screens: each cell gets its column's heading as a label (CSS shows it
// under 640 px). Tables with row headings (the dashboards) or data-no-reflow keep their columns
// and scroll sideways instead. Again after every htmx swap.
(function () {
  function label(table) {
    if (table.classList.contains("reflow") || table.hasAttribute("data-no-reflow")) return;
    if (table.closest(".dash-table") || table.querySelector("tbody th")) return;
    var headRow = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0] : null;
    if (!headRow) return;
    var names = [];
    Array.prototype.forEach.call(headRow.cells, function (th) {
      // A heading that is a "select all" box labels the row's own box "选择".
      var name = th.textContent.trim() || (th.querySelector("input[type=checkbox]") ? "选择" : "");
      for (var i = 0; i < (th.colSpan || 1); i++) names.push(name);
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var name = cell.colSpan > 1 ? "" : names[column] || "";
          column += cell.colSpan || 1;
          if (name) cell.setAttribute("data-label", name); else cell.classList.add("unlabelled");
          if (!cell.textContent.trim() && !cell.querySelector("input, select, textarea, button, img, a")) cell.classList.add("blank");
        });
      });
    });
    table.classList.add("reflow");
  }
  function labelAll(root) {
    if (root.matches && root.matches("table.data")) label(root);
    root.querySelectorAll("table.data").forEach(label);
  }
  labelAll(document);
  document.addEventListener("htmx:load", function (event) { labelAll(event.target); });
})();

// Score forms: "再加一条扣分" copies the blank deduction row.
document.addEventListener("click", function (event) {
  if (!event.target.matches("[data-add-row]")) return;
  var template = event.target.closest("form").querySelector("tr[data-template]");
  var copy = template.cloneNode(true);
  copy.removeAttribute("data-template");
  copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
  template.parentNode.appendChild(copy);
});

// -- Content-Security-Policy: sizes from data attributes ---------------------------------------
// The CSP refuses style="" attributes, so sizes the server computes (a progress bar's share, a
// chart's height, a tree row's indent) come as data-width (%), data-height (px) and
// data-indent (em) and are set here through the CSSOM, which the policy allows; again after
// every htmx swap (the filing's progress is refreshed that way).
(function () {
  var sizes = [["data-width", "width", "%"], ["data-height", "height", "px"], ["data-indent", "paddingLeft", "em"]];
  function applySizes(root) {
    sizes.forEach(function (size) {
      var found = Array.prototype.slice.call(root.querySelectorAll("[" + size[0] + "]"));
      if (root.hasAttribute && root.hasAttribute(size[0])) found.push(root);
      found.forEach(function (element) {
        var value = parseFloat(element.getAttribute(size[0]));
        if (!isNaN(value)) element.style[size[1]] = value + size[2];
      });
    });
  }
  applySizes(document);
  document.addEventListener("htmx:load", function (event) { applySizes(event.target); });
})();
