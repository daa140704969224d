#pragma once
// Parses Erlang term text ("{shutdown,{failed_to_start_child,db,econnrefused}}", "'EXIT'",
// "[1,2]", "\"str\"", "-5") into a Term: scenario files write reasons as Erlang does.
// Bounded (sim/limits.hpp): at most kTermBytes of text, {tuples} and [lists] nested at most
// kTermDepth deep, atoms of at most kAtomChars characters, integers in int64 range. Anything
// else is a TermParseError naming the column, never a crash or a silent wrap-around.
// Quoted atoms and strings take Erlang's escapes (\n, \t, \s, \NNN, \xHH, \x{H...}, \^c, ...),
// so a printed term (Term::to_string) parses back to the same term.
#include <stdexcept>
#include <string>
#include <string_view>

#include <otpsim/core/kernel/term.hpp>

namespace otp::sim {

struct TermParseError : std::runtime_error {
  TermParseError(const std::string& what, size_t col) : std::runtime_error(what), column(col) {}
  size_t column;  // 1-based position in the text
};

Term parse_term(std::string_view text);

}  // namespace otp::sim
