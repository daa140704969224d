#include <otpsim/core/behaviours/observer.hpp>

#include <otpsim/core/kernel/errors.hpp>

namespace otp::observer {
namespace {

constexpr size_t kMaxDepth = 64;  // a deeper tree is cut (and says so): nothing unbounded from outside

Task<void> fill(Process& self, TreeNode& node, Timeout timeout, size_t depth) {
  if (depth >= kMaxDepth) {
    node.note = "deeper than 64 levels: not walked";
    co_return;
  }
  Term state;
  try {
    state = co_await sys::get_state(self, node.pid.pid(), timeout);
  } catch (const Exit& e) {
    node.note = "gone: " + e.reason().to_string();
    co_return;
  }
  // {supervisor, Strategy, [{Id, Pid, Type, Restarts}], {MaxR, MaxT}}
  if (!state.is_tuple(4) || !state[0].is_atom("supervisor")) {
    node.note = "not a supervisor's state: " + state.to_string();
    co_return;
  }
  node.strategy = state[1].to_string();
  for (const Term& c : state[2].items()) {
    TreeNode kid;
    kid.id = c[0];
    kid.pid = c[1];
    kid.type = c[2].to_string();
    kid.restarts = c[3].integer_value();
    if (kid.type == "supervisor" && kid.pid.is_pid()) co_await fill(self, kid, timeout, depth + 1);
    node.children.push_back(std::move(kid));
  }
}

void text(const TreeNode& n, size_t depth, std::string& out) {
  out += std::string(depth * 2, ' ') + n.id.to_string() + " " + n.pid.to_string() + " " + n.type;
  if (!n.strategy.empty()) out += " " + n.strategy;
  if (n.restarts) out += " restarts " + std::to_string(n.restarts);
  if (!n.note.empty()) out += " (" + n.note + ")";
  out += "\n";
  for (const auto& c : n.children) text(c, depth + 1, out);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void dot(const TreeNode& n, const std::string& name, std::string& out, size_t& next) {
  std::string label = n.id.to_string() + "\\n" + n.pid.to_string() + (n.restarts ? "\\nrestarts " + std::to_string(n.restarts) : "");
  std::string escaped;  // (the label's \n are DOT's line breaks: only quotes are escaped)
  for (char c : label) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
  out += "  " + name + " [label=\"" + escaped + "\"" + (n.type == "supervisor" ? ", shape=box" : "") + "];\n";
  for (const auto& c : n.children) {
    std::string kid = "n" + std::to_string(next++);
    dot(c, kid, out, next);
    out += "  " + name + " -> " + kid + ";\n";
  }
}

void json(const TreeNode& n, std::string& out) {
  out += "{\"id\":" + quoted(n.id.to_string()) + ",\"pid\":" + quoted(n.pid.to_string()) + ",\"type\":" + quoted(n.type) +
         ",\"restarts\":" + std::to_string(n.restarts);
  if (!n.strategy.empty()) out += ",\"strategy\":" + quoted(n.strategy);
  if (!n.note.empty()) out += ",\"note\":" + quoted(n.note);
  out += ",\"children\":[";
  for (size_t i = 0; i < n.children.size(); ++i) {
    if (i) out += ",";
    json(n.children[i], out);
  }
  out += "]}";
}

}  // namespace

Task<TreeNode> snapshot(Process& self, ServerRef root, Timeout timeout) {
  Pid pid = root.pid ? root.pid : co_await gen_server::whereis(self, root);
  if (!pid) throw Exit(tuple(reasons::noproc(), tuple(atom("observer"), atom("snapshot"), Term::list({root.to_term()}))));
  TreeNode tree;
  tree.id = root.pid ? atom("root") : root.to_term();
  tree.pid = pid;
  tree.type = "supervisor";
  co_await fill(self, tree, timeout, 0);
  co_return tree;
}

std::string to_text(const TreeNode& tree) {
  std::string out;
  text(tree, 0, out);
  return out;
}

std::string to_dot(const TreeNode& tree) {
  std::string out = "digraph supervision {\n";
  size_t next = 1;
  dot(tree, "n0", out, next);
  return out + "}\n";
}

std::string to_json(const TreeNode& tree) {
  std::string out;
  json(tree, out);
  return out + "\n";
}

}  // namespace otp::observer
