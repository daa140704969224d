#include <otpsim/properties/supervisor_model.hpp>

#include <deque>

namespace otp::model {

Prediction predict(const SupFlags& flags, const std::vector<ModelChild>& declared, const std::vector<Exit>& ops) {
  struct Slot {
    ModelChild c;
    bool running = true;
  };
  std::vector<Slot> kids;  // start order; every child started at first
  for (const auto& c : declared) kids.push_back({c, true});
  std::deque<int64_t> restarts;
  Prediction p;
  auto find = [&](const std::string& id) -> long {
    for (size_t i = 0; i < kids.size(); ++i)
      if (kids[i].c.id == id) return static_cast<long>(i);
    return -1;
  };
  auto erase = [&](long i) { kids.erase(kids.begin() + i); };
  // S23: terminate kids[first..] newest first; temporary ones disappear.
  auto terminate_from = [&](size_t first) {
    for (size_t i = kids.size(); i-- > first;) {
      if (kids[i].running) p.events.push_back("stop:" + kids[i].c.id + ":shutdown");
      kids[i].running = false;
      if (kids[i].c.restart == Restart::temporary) erase(static_cast<long>(i));
    }
  };
  for (const auto& e : ops) {
    ++p.consumed;
    const std::string& id = declared[e.child].id;
    long i = find(id);
    if (e.op != OpKind::exit) {  // S31
      std::string result = "{error,not_found}";
      if (i >= 0 && e.op == OpKind::terminate_child) {
        if (kids[i].running) p.events.push_back("stop:" + id + ":shutdown");
        kids[i].running = false;
        if (kids[i].c.restart == Restart::temporary) erase(i);
        result = "ok";
      } else if (i >= 0 && kids[i].running) {
        result = "{error,running}";
      } else if (i >= 0 && e.op == OpKind::restart_child) {
        p.events.push_back("start:" + id);
        kids[i].running = true;
        result = "{ok,Pid}";
      } else if (i >= 0) {
        erase(i);
        result = "ok";
      }
      const char* name = e.op == OpKind::terminate_child ? "terminate:" : e.op == OpKind::restart_child ? "restart:" : "delete:";
      p.events.push_back(name + id + "->" + result);
      continue;
    }
    if (i < 0 || !kids[i].running) continue;  // nothing running there: no exit happens
    Slot& k = kids[i];
    p.events.push_back("crash:" + k.c.id);
    p.events.push_back("stop:" + k.c.id + ":" + e.reason.to_string());
    k.running = false;
    bool restart = k.c.restart == Restart::permanent || (k.c.restart == Restart::transient && !is_normal_exit(e.reason));
    if (!restart) {  // S24
      if (k.c.restart == Restart::temporary) erase(i);
      continue;
    }
    int64_t now_s = e.at_ms / 1000;  // S28
    restarts.push_back(now_s);
    while (restarts.front() < now_s - flags.max_seconds) restarts.pop_front();
    if (static_cast<int64_t>(restarts.size()) > flags.max_restarts) {
      terminate_from(0);
      p.escalated = true;
      break;
    }
    size_t first = flags.strategy == Strategy::one_for_all ? 0 : static_cast<size_t>(i);
    if (flags.strategy != Strategy::one_for_one) terminate_from(first);  // S26, S27
    size_t last = flags.strategy == Strategy::one_for_one ? static_cast<size_t>(i) + 1 : kids.size();
    for (size_t j = first; j < last && j < kids.size(); ++j) {  // S25-S27: start in order
      kids[j].running = true;
      p.events.push_back("start:" + kids[j].c.id);
    }
  }
  for (const auto& k : kids) p.final.push_back(k.c.id + (k.running ? ":running" : ":undefined"));
  return p;
}

}  // namespace otp::model
