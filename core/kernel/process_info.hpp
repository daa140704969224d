#pragma once
// process_info (erlang:process_info/1): what one process is doing, asked of any process on
// either executor. As in OTP (where it is a signal since OTP 21), the question travels as a
// signal and the target's owner answers it between the target's turns, so nothing reads a
// process that another thread is running.
#include <optional>
#include <string>
#include <vector>

#include <otpsim/core/kernel/process.hpp>

namespace otp {

struct ProcessInfo {
  Pid pid;
  std::string status;           // runnable, running, waiting
  std::string waiting_on;       // e.g. "receive with timeout, 2 message(s) in mailbox"
  size_t message_queue_len = 0;
  std::vector<Pid> links;       // ascending
  std::vector<Pid> monitors;    // the processes this one monitors
  std::vector<Pid> monitored_by;
  std::string registered_name;  // "" when none
  bool trap_exit = false;
  // [{status,S},{message_queue_len,N},{links,[...]},{monitors,[{process,P}...]},{monitored_by,[...]},
  //  {registered_name,N} (omitted when none, as in OTP),{trap_exit,B},{waiting_on,What}] (what it waits for, in words:
  //  the BEAM's current_function names an MFA, which a coroutine does not have)
  Term to_term() const;
};

// The answer a process_info signal brings back (a message, matched by its ref).
struct ProcessInfoReply {
  Ref ref;
  std::optional<ProcessInfo> info;  // nullopt: the process is not alive
  Term to_term() const { return info ? tuple(atom("process_info"), ref, info->to_term()) : tuple(atom("process_info"), ref, atom("undefined")); }
};

// The info of `pid`, or nullopt when it is not alive (OTP's `undefined`). About itself, a
// process answers at once.
Task<std::optional<ProcessInfo>> process_info(Process& self, Pid pid);

// erlang:is_process_alive/1 (S4): whether `pid` is alive once every signal the caller sent it
// before the question has reached it, so after `exit(P, kill)` (or any exit signal that ends P)
// it answers false, as the BEAM guarantees. Node::alive reads the process table at once: a
// signal of the caller's still in flight has not had its effect there yet.
Task<bool> is_process_alive(Process& self, Pid pid);

}  // namespace otp
