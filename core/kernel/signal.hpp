#pragma once
// Signals: every interaction between processes (S5). The executor carries them in flight;
// the target's owner applies them (Node::deliver). Nothing reaches into another process.
#include <cstdint>

#include <otpsim/core/kernel/message.hpp>
#include <otpsim/core/kernel/term.hpp>

namespace otp {

enum class SignalKind : uint8_t {
  message,    // msg
  exit,       // reason; from_link says whether it came from a link (S3) or exit/2 (S2)
  link,       //
  unlink,     //
  monitor,    // ref
  demonitor,  // ref
  down,       // ref, reason: becomes a DownMsg in the watcher's mailbox
  reply,      // ref, msg: a GenServer reply, dropped if the caller no longer waits (S11)
  info,       // ref: process_info; the receiver's owner answers with a ProcessInfoReply message
};

const char* to_string(SignalKind k);

struct Signal {
  SignalKind kind = SignalKind::message;
  bool from_link = false;
  Pid from;
  Pid to;
  Ref ref;
  Term reason;
  Message msg;
};

}  // namespace otp
