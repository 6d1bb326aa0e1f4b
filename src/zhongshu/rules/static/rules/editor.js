// The rule editor: builds the condition tree and the action list from the field catalogue and
// keeps the JSON in the form's textareas up to date (the server validates everything again).
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  var catalogueNode = document.getElementById("rule-catalogue");
  if (!form || !catalogueNode) return;
  var cat = JSON.parse(catalogueNode.textContent);
  var orderFields = cat.fields, orderActions = cat.actions;
  var fields = {};
  var customerScope = false;
  // a rule with a customer trigger (tier changed) speaks of customers: other fields and actions
  function applyScope() {
    var checked = Array.prototype.filter.call(form.querySelectorAll("input[name=triggers]"),
      function (i) { return i.checked; }).map(function (i) { return i.value; });
    customerScope = checked.some(function (t) { return (cat.customer_triggers || []).indexOf(t) >= 0; });
    cat.fields = customerScope ? cat.customer_fields : orderFields;
    cat.actions = customerScope ? cat.customer_actions : orderActions;
    fields = {};
    cat.fields.forEach(function (f) { fields[f.name] = f; });
  }
  applyScope();
  var condBox = document.getElementById("id_condition");
  var actBox = document.getElementById("id_actions");
  var tree, actions;
  try { tree = JSON.parse(condBox.value || "{}"); } catch (e) { return; }
  try { actions = JSON.parse(actBox.value || "[]"); } catch (e) { return; }
  if (!tree || typeof tree !== "object") tree = { all: [] };
  if (!("all" in tree || "any" in tree || "not" in tree)) tree = { all: [tree] };
  form.classList.add("js-editor");

  var L = {
    all: "all of", any: "any of", not: "none of", addCond: "+ condition", addGroup: "+ group",
    remove: "×", addAction: "+ action", yes: "yes", no: "no"
  };
  if ((document.documentElement.lang || "").indexOf("zh") === 0) {
    L = { all: "全部满足", any: "任一满足", not: "都不满足", addCond: "+ 条件", addGroup: "+ 条件组",
      remove: "×", addAction: "+ 动作", yes: "是", no: "否" };
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function select(options, value, onchange) {
    var s = el("select");
    options.forEach(function (o) {
      var opt = el("option", { value: o.value, text: o.label });
      if (String(o.value) === String(value)) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }
  function button(label, onclick) {
    var b = el("button", { type: "button", text: label });
    b.addEventListener("click", onclick);
    return b;
  }
  function save() {
    condBox.value = JSON.stringify(tree);
    actBox.value = JSON.stringify(actions);
  }

  // --- conditions ---------------------------------------------------------------------------------
  function groupKey(node) { return "all" in node ? "all" : ("any" in node ? "any" : "not"); }
  function children(node) {
    var k = groupKey(node);
    if (k === "not") {
      var inner = node.not;
      if (!inner || !("all" in inner)) node.not = { any: inner ? [inner] : [] };
      return node.not.any || node.not.all;
    }
    return node[k];
  }
  function defaultCond() {
    var f = cat.fields[0];
    return { field: f.name, op: f.operators[0].op, value: defaultValue(f, f.operators[0].op) };
  }
  function defaultValue(f, op) {
    if (op === "is_null") return true;
    if (f.type === "bool") return true;
    if (op === "in" || op === "not_in") return f.choices.length ? [f.choices[0].value] : [];
    if (f.choices.length) return f.choices[0].value;
    if (f.type === "number") return 0;
    if (f.type === "date") return new Date().toISOString().slice(0, 10);
    return "";
  }
  function valueInput(cond, f) {
    var op = cond.op;
    if (op === "is_null" || f.type === "bool") {
      return select([{ value: "true", label: L.yes }, { value: "false", label: L.no }],
        String(cond.value), function (v) { cond.value = v === "true"; save(); });
    }
    if ((op === "in" || op === "not_in") && f.choices.length) {
      var s = el("select", { multiple: "multiple" });
      f.choices.forEach(function (c) {
        var o = el("option", { value: c.value, text: c.label });
        if ((cond.value || []).indexOf(c.value) >= 0) o.selected = true;
        s.appendChild(o);
      });
      s.addEventListener("change", function () {
        cond.value = Array.prototype.filter.call(s.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        save();
      });
      return s;
    }
    if (f.choices.length) {
      return select(f.choices, cond.value, function (v) { cond.value = v; save(); });
    }
    var input = el("input", { type: f.type === "date" ? "date" : (f.type === "number" ? "number" : "text") });
    if (f.type === "number") input.setAttribute("step", f.integer ? "1" : "any");
    input.value = Array.isArray(cond.value) ? cond.value.join(", ") : (cond.value === undefined ? "" : cond.value);
    input.addEventListener("input", function () {
      var raw = input.value;
      if (op === "in" || op === "not_in") {
        cond.value = raw.split(/[,，]/).map(function (x) { return x.trim(); }).filter(Boolean)
          .map(function (x) { return f.type === "number" ? Number(x) : x; });
      } else if (f.type === "number") {
        cond.value = raw === "" ? null : Number(raw);
      } else {
        cond.value = raw;
      }
      save();
    });
    return input;
  }
  function renderCond(cond, list, index) {
    var row = el("div", { class: "cond" });
    if (!fields[cond.field]) {
      // a field this page does not offer (a custom field deleted or hidden from you): shown as
      // written and kept unless removed; the server says what is wrong with it on saving
      row.appendChild(el("code", { class: "unknown-field",
        text: cond.field + " " + cond.op + " " + JSON.stringify(cond.value) }));
      row.appendChild(button(L.remove, function () { list.splice(index, 1); save(); render(); }));
      return row;
    }
    var f = fields[cond.field];
    row.appendChild(select(cat.fields.map(function (x) { return { value: x.name, label: x.label }; }),
      f.name, function (v) {
        var nf = fields[v];
        cond.field = v; cond.op = nf.operators[0].op; cond.value = defaultValue(nf, cond.op);
        save(); render();
      }));
    row.appendChild(select(f.operators.map(function (o) { return { value: o.op, label: o.label }; }),
      cond.op, function (v) { cond.op = v; cond.value = defaultValue(f, v); save(); render(); }));
    row.appendChild(valueInput(cond, f));
    row.appendChild(button(L.remove, function () { list.splice(index, 1); save(); render(); }));
    return row;
  }
  function renderGroup(node, parentList, index) {
    var box = el("div", { class: "group" });
    var head = el("div", { class: "group-head" });
    head.appendChild(select(["all", "any", "not"].map(function (k) { return { value: k, label: L[k] }; }),
      groupKey(node), function (k) {
        var items = children(node);
        delete node.all; delete node.any; delete node.not;
        if (k === "not") node.not = { any: items }; else node[k] = items;
        save(); render();
      }));
    var list = children(node);
    head.appendChild(button(L.addCond, function () { list.push(defaultCond()); save(); render(); }));
    head.appendChild(button(L.addGroup, function () { list.push({ all: [defaultCond()] }); save(); render(); }));
    if (parentList) {
      head.appendChild(button(L.remove, function () { parentList.splice(index, 1); save(); render(); }));
    }
    box.appendChild(head);
    list.forEach(function (child, i) {
      if (child && ("all" in child || "any" in child || "not" in child)) box.appendChild(renderGroup(child, list, i));
      else box.appendChild(renderCond(child, list, i));
    });
    return box;
  }

  // --- actions ------------------------------------------------------------------------------------
  var PARAMS = {
    notify: [["roles", "roles"], ["users", "list"], ["owner", "bool"], ["channel", "channel"], ["template", "text"]],
    block: [["message", "text"]],
    tag: [["tag", "text"]],
    route: [["queue", "text"]],
    followup: [["assignee_role", "role"], ["due_in_days", "int"], ["title", "text"]],
    set_priority: [["priority", "priority"]],
    owner_followup: [["due_in_days", "int"], ["title", "text"]],
    add_to_list: [["list", "text"]]
  };
  function paramInput(action, name, kind) {
    var wrap = el("label", { text: name + " " });
    var input;
    if (kind === "roles") {
      input = el("select", { multiple: "multiple" });
      cat.roles.forEach(function (r) {
        var o = el("option", { value: r.value, text: r.label });
        if ((action.roles || []).indexOf(r.value) >= 0) o.selected = true;
        input.appendChild(o);
      });
      input.addEventListener("change", function () {
        action.roles = Array.prototype.filter.call(input.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        save();
      });
    } else if (kind === "role" || kind === "channel" || kind === "priority") {
      var opts = kind === "role" ? cat.roles : (kind === "channel" ? cat.channels : cat.priorities);
      if (action[name] === undefined) action[name] = opts[0].value;
      input = select(opts, action[name], function (v) { action[name] = v; save(); });
    } else if (kind === "bool") {
      input = el("input", { type: "checkbox" });
      input.checked = !!action[name];
      input.addEventListener("change", function () { action[name] = input.checked; save(); });
    } else {
      input = el("input", { type: kind === "int" ? "number" : "text" });
      var v = action[name];
      input.value = Array.isArray(v) ? v.join(", ") : (v === undefined ? "" : v);
      input.addEventListener("input", function () {
        if (kind === "list") action[name] = input.value.split(/[,，]/).map(function (x) { return x.trim(); }).filter(Boolean);
        else if (kind === "int") action[name] = parseInt(input.value, 10);
        else action[name] = input.value;
        save();
      });
    }
    wrap.appendChild(input);
    return wrap;
  }
  function renderActions(box) {
    actions.forEach(function (action, i) {
      var row = el("div", { class: "action" });
      row.appendChild(select(cat.actions.map(function (a) { return { value: a.type, label: a.label }; }),
        action.type, function (t) { actions[i] = { type: t }; save(); render(); }));
      (PARAMS[action.type] || []).forEach(function (p) { row.appendChild(paramInput(action, p[0], p[1])); });
      row.appendChild(button(L.remove, function () { actions.splice(i, 1); save(); render(); }));
      box.appendChild(row);
    });
    box.appendChild(button(L.addAction, function () {
      actions.push(customerScope ? { type: "owner_followup", due_in_days: 0, title: "" }
        : { type: "notify", roles: [], channel: "inapp", template: "" });
      save(); render();
    }));
  }

  function render() {
    var condRoot = document.getElementById("condition-tree");
    condRoot.replaceChildren(renderGroup(tree, null, 0));
    var actRoot = document.getElementById("action-list");
    actRoot.replaceChildren();
    renderActions(actRoot);
    save();
  }
  form.querySelectorAll("input[name=triggers]").forEach(function (input) {
    input.addEventListener("change", function () {
      var before = customerScope;
      applyScope();
      if (before !== customerScope) {
        // conditions and actions of the other kind do not apply any more
        tree = { all: [] };
        actions = [];
      }
      render();
    });
  });
  render();
})();
