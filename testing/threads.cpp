#include <otpsim/testing/threads.hpp>

#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/core.h>

namespace otp::testing {

void run_on_threads(unsigned n, const std::function<void(unsigned)>& body) {
  std::vector<std::thread> threads;
  std::vector<unsigned> inline_jobs;
  std::string why;
  for (unsigned j = 0; j < n; ++j) {
    try {
      threads.emplace_back(body, j);
    } catch (const std::system_error& e) {
      why = e.what();
      inline_jobs.push_back(j);
    } catch (const std::bad_alloc& e) {
      why = e.what();
      inline_jobs.push_back(j);
    }
  }
  if (!inline_jobs.empty())
    fmt::print(stderr, "note: started {} of {} worker threads ({}); the rest run on the main thread\n", threads.size(), n, why);
  for (unsigned j : inline_jobs) body(j);
  for (auto& t : threads) t.join();
}

}  // namespace otp::testing
