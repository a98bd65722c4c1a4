// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Model-based test: long random sequences of set / add / clear / wait /
// cancel / add-source / modify-source / remove-source / destroy-source /
// async and sync polls run against registrations and a poller, and against a
// plain reference model (containers and loops, no concurrency). After every
// step the io_context runs what is ready and every completion is compared
// with what the model predicts. Any divergence fails with the seed, the step
// and the operation printed. Seeds are fixed, so a failure replays exactly.

#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include "../common/asio_features.hpp"

#include <boost/asio/io_context.hpp>
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

namespace {

constexpr int slots = 4;

// One completion, as seen (actual) or predicted (expected).
struct completion
{
  int kind = 0; // 0 wait, 1 async poll
  int id = 0;
  error_code ec;
  unsigned value = 0; // readiness bits or event count
  std::vector<event> events;

  friend bool operator<(const completion& a, const completion& b)
  {
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  }
  friend bool operator==(const completion& a, const completion& b)
  {
    return a.kind == b.kind && a.id == b.id && a.ec == b.ec && a.value == b.value
        && a.events == b.events;
  }
};

std::string describe(const std::vector<completion>& v)
{
  std::ostringstream os;
  for (const completion& c : v)
  {
    os << (c.kind == 0 ? " wait#" : " poll#") << c.id << "(" << c.ec.message() << ", ";
    if (c.kind == 0)
      os << ready::from_bits(c.value);
    else
    {
      os << c.value;
      for (const event& e : c.events)
        os << ' ' << e;
    }
    os << ")";
  }
  return v.empty() ? " (nothing)" : os.str();
}

// The reference model.
struct model
{
  struct wait
  {
    int slot;
    unsigned interest;
  };
  struct entry
  {
    bool attached = false;
    std::size_t token = 0;
    unsigned interest = 0;
    trigger trig = trigger::level;
    bool armed = true;
    bool queued = false;
  };
  struct poll_op
  {
    int id;
    std::size_t capacity;
  };

  unsigned bits[slots] = {};
  std::map<int, wait> waits;
  entry entries[slots];
  std::deque<int> queue;
  std::deque<poll_op> polls;
  std::vector<completion> expected;

  void complete_wait(int id, error_code ec, unsigned value)
  {
    completion c;
    c.kind = 0;
    c.id = id;
    c.ec = ec;
    c.value = value;
    expected.push_back(c);
  }

  std::vector<event> drain(std::size_t capacity)
  {
    std::vector<event> out;
    std::deque<int> again;
    while (out.size() < capacity && !queue.empty())
    {
      int s = queue.front();
      queue.pop_front();
      entry& e = entries[s];
      e.queued = false;
      if (!e.armed)
        continue;
      unsigned r = bits[s] & e.interest;
      if (!r)
        continue;
      out.push_back(event{e.token, ready::from_bits(r)});
      if (e.trig == trigger::level)
      {
        e.queued = true;
        again.push_back(s);
      }
      else if (e.trig == trigger::oneshot)
        e.armed = false;
    }
    queue.insert(queue.end(), again.begin(), again.end());
    return out;
  }

  void serve_polls()
  {
    while (!polls.empty() && !queue.empty())
    {
      std::vector<event> ev = drain(polls.front().capacity);
      if (ev.empty())
        break;
      completion c;
      c.kind = 1;
      c.id = polls.front().id;
      c.value = static_cast<unsigned>(ev.size());
      c.events = ev;
      expected.push_back(c);
      polls.pop_front();
    }
  }

  void on_ready(int s)
  {
    entry& e = entries[s];
    if (!e.armed)
      return;
    if (!e.queued)
    {
      e.queued = true;
      queue.push_back(s);
    }
    serve_polls();
  }

  void change(int s, unsigned now)
  {
    unsigned added = now & ~bits[s];
    bits[s] = now;
    for (auto it = waits.begin(); it != waits.end();)
    {
      if (it->second.slot == s && (it->second.interest & now))
      {
        complete_wait(it->first, {}, it->second.interest & now);
        it = waits.erase(it);
      }
      else
        ++it;
    }
    if (entries[s].attached && (added & entries[s].interest))
      on_ready(s);
  }

  void unqueue(int s)
  {
    queue.erase(std::remove(queue.begin(), queue.end(), s), queue.end());
    entries[s].queued = false;
  }
};

struct harness
{
  explicit harness(std::uint32_t seed) : seed_(seed), rng_(seed), poller_(io_)
  {
    for (int s = 0; s < slots; ++s)
      regs_[s] = std::make_unique<iocpx::registration>(io_);
  }

  unsigned random_bits(bool nonempty)
  {
    unsigned b = std::uniform_int_distribution<unsigned>(0, 31)(rng_);
    if (nonempty && b == 0)
      b = 1u << std::uniform_int_distribution<unsigned>(0, 4)(rng_);
    return b;
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  trigger random_trigger() { return static_cast<trigger>(pick(3)); }

  bool fail(int step, const std::string& op, const std::string& what)
  {
    BOOST_ERROR("model divergence: seed " << seed_ << " step " << step << " op `" << op
                                         << "`: " << what);
    return false;
  }

  // Runs `steps` random steps; false on the first divergence.
  bool run(int steps)
  {
    for (int step = 0; step < steps; ++step)
    {
      std::ostringstream op;
      std::string immediate; // divergence found during the step itself
      const int s = pick(slots);
      error_code ec;
      switch (pick(14))
      {
      case 0:
      case 1:
      case 2:
      {
        // set / add / clear, checking the returned previous readiness
        const int which = pick(3);
        const unsigned b = random_bits(false);
        const unsigned before = m_.bits[s];
        ready prev;
        unsigned now = 0;
        auto setter = regs_[s]->setter();
        if (which == 0)
        {
          op << "set(" << s << ", " << ready::from_bits(b) << ")";
          prev = setter.set(ready::from_bits(b));
          now = b;
        }
        else if (which == 1)
        {
          op << "add(" << s << ", " << ready::from_bits(b) << ")";
          prev = setter.add(ready::from_bits(b));
          now = before | b;
        }
        else
        {
          op << "clear(" << s << ", " << ready::from_bits(b) << ")";
          prev = setter.clear(ready::from_bits(b));
          now = before & ~b;
        }
        if (prev.bits() != before)
          immediate = "previous readiness " + prev.to_string() + ", model "
              + ready::from_bits(before).to_string();
        m_.change(s, now);
        break;
      }
      case 3:
      case 4:
      {
        // wait (sometimes with an empty interest)
        const unsigned interest = pick(20) == 0 ? 0u : random_bits(true);
        const int id = ++next_id_;
        op << "wait#" << id << "(" << s << ", " << ready::from_bits(interest) << ")";
        auto handler = [this, id](error_code e, ready r) {
          completion c;
          c.kind = 0;
          c.id = id;
          c.ec = e;
          c.value = r.bits();
          actual_.push_back(c);
        };
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
        auto& sig = signals_[id];
        sig = std::make_unique<asio::cancellation_signal>();
        regs_[s]->async_wait(
            ready::from_bits(interest), asio::bind_cancellation_slot(sig->slot(), handler));
#else
        regs_[s]->async_wait(ready::from_bits(interest), handler);
#endif
        if (interest == 0)
          m_.complete_wait(id, iocpx::error::empty_interest, 0);
        else if (m_.bits[s] & interest)
          m_.complete_wait(id, {}, m_.bits[s] & interest);
        else
          m_.waits[id] = model::wait{s, interest};
        break;
      }
      case 5:
      {
        // per-operation cancellation of a random wait (pending or not)
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
        if (signals_.empty())
          break;
        auto it = signals_.begin();
        std::advance(it, pick(static_cast<int>(signals_.size())));
        const int id = it->first;
        const auto type = pick(3) == 0 ? asio::cancellation_type::terminal
            : pick(2) == 0              ? asio::cancellation_type::partial
                                        : asio::cancellation_type::total;
        op << "emit(wait#" << id << ")";
        it->second->emit(type);
        auto w = m_.waits.find(id);
        if (w != m_.waits.end())
        {
          m_.complete_wait(id, asio::error::operation_aborted, 0);
          m_.waits.erase(w);
        }
#else
        op << "nothing (no per-operation cancellation before Boost 1.77)";
#endif
        break;
      }
      case 6:
      {
        op << "cancel(" << s << ")";
        regs_[s]->cancel();
        for (auto it = m_.waits.begin(); it != m_.waits.end();)
        {
          if (it->second.slot == s)
          {
            m_.complete_wait(it->first, asio::error::operation_aborted, 0);
            it = m_.waits.erase(it);
          }
          else
            ++it;
        }
        break;
      }
      case 7:
      {
        const std::size_t token = static_cast<std::size_t>(pick(1000));
        const unsigned interest = pick(15) == 0 ? 0u : random_bits(true);
        const trigger t = random_trigger();
        op << "poller.add(" << s << ", token " << token << ", " << ready::from_bits(interest)
           << ", " << t << ")";
        poller_.add(*regs_[s], token, ready::from_bits(interest), t, ec);
        error_code want;
        model::entry& e = m_.entries[s];
        if (interest == 0)
          want = iocpx::error::empty_interest;
        else if (e.attached)
          want = iocpx::error::already_registered;
        else
        {
          e = model::entry();
          e.attached = true;
          e.token = token;
          e.interest = interest;
          e.trig = t;
          if (m_.bits[s] & interest)
            m_.on_ready(s);
        }
        if (ec != want)
          immediate = "error " + ec.message() + ", model " + want.message();
        break;
      }
      case 8:
      {
        const std::size_t token = static_cast<std::size_t>(pick(1000));
        const unsigned interest = pick(15) == 0 ? 0u : random_bits(true);
        const trigger t = random_trigger();
        op << "poller.modify(" << s << ", token " << token << ", " << ready::from_bits(interest)
           << ", " << t << ")";
        poller_.modify(*regs_[s], token, ready::from_bits(interest), t, ec);
        error_code want;
        model::entry& e = m_.entries[s];
        if (interest == 0)
          want = iocpx::error::empty_interest;
        else if (!e.attached)
          want = iocpx::error::not_registered;
        else
        {
          e.token = token;
          e.interest = interest;
          e.trig = t;
          e.armed = true;
          if (m_.bits[s] & interest)
            m_.on_ready(s);
        }
        if (ec != want)
          immediate = "error " + ec.message() + ", model " + want.message();
        break;
      }
      case 9:
      {
        op << "poller.remove(" << s << ")";
        poller_.remove(*regs_[s], ec);
        error_code want;
        if (!m_.entries[s].attached)
          want = iocpx::error::not_registered;
        else
        {
          m_.unqueue(s);
          m_.entries[s] = model::entry();
        }
        if (ec != want)
          immediate = "error " + ec.message() + ", model " + want.message();
        break;
      }
      case 10:
      {
        const std::size_t cap = static_cast<std::size_t>(1 + pick(3));
        const int id = ++next_id_;
        op << "async_poll#" << id << "(capacity " << cap << ")";
        auto& buf = buffers_[id];
        buf.resize(cap);
        poller_.async_poll(buf, [this, id](error_code e, std::size_t n) {
          completion c;
          c.kind = 1;
          c.id = id;
          c.ec = e;
          c.value = static_cast<unsigned>(n);
          if (!e)
            c.events.assign(buffers_[id].begin(), buffers_[id].begin() + static_cast<long>(n));
          actual_.push_back(c);
        });
        std::vector<event> ev = m_.drain(cap);
        if (ev.empty())
          m_.polls.push_back(model::poll_op{id, cap});
        else
        {
          completion c;
          c.kind = 1;
          c.id = id;
          c.value = static_cast<unsigned>(ev.size());
          c.events = ev;
          m_.expected.push_back(c);
        }
        break;
      }
      case 11:
      {
        const std::size_t cap = static_cast<std::size_t>(1 + pick(3));
        op << "poll(capacity " << cap << ", 0ms)";
        std::vector<event> buf(cap);
        std::size_t n = poller_.poll(buf, std::chrono::milliseconds(0));
        buf.resize(n);
        std::vector<event> want = m_.drain(cap);
        if (buf != want)
        {
          std::ostringstream os;
          os << "sync poll took";
          for (const event& e : buf)
            os << ' ' << e;
          os << "; model";
          for (const event& e : want)
            os << ' ' << e;
          immediate = os.str();
        }
        break;
      }
      case 12:
      {
        op << "destroy+recreate(" << s << ")";
        regs_[s] = std::make_unique<iocpx::registration>(io_);
        for (auto it = m_.waits.begin(); it != m_.waits.end();)
        {
          if (it->second.slot == s)
          {
            m_.complete_wait(it->first, asio::error::operation_aborted, 0);
            it = m_.waits.erase(it);
          }
          else
            ++it;
        }
        if (m_.entries[s].attached)
          m_.unqueue(s);
        m_.entries[s] = model::entry();
        m_.bits[s] = 0;
        break;
      }
      case 13:
      {
        op << "poller.cancel()";
        poller_.cancel();
        for (const model::poll_op& p : m_.polls)
        {
          completion c;
          c.kind = 1;
          c.id = p.id;
          c.ec = asio::error::operation_aborted;
          m_.expected.push_back(c);
        }
        m_.polls.clear();
        break;
      }
      }

      if (!immediate.empty())
        return fail(step, op.str(), immediate);
      // Nothing may have run inline.
      if (!actual_.empty())
        return fail(step, op.str(), "a handler ran inside the operation:" + describe(actual_));
      io_.restart();
      io_.poll();
      std::sort(actual_.begin(), actual_.end());
      std::sort(m_.expected.begin(), m_.expected.end());
      if (!(actual_ == m_.expected))
        return fail(step, op.str(),
            "completions:" + describe(actual_) + "; model:" + describe(m_.expected));
      for (const completion& c : actual_)
        if (c.kind == 1)
          buffers_.erase(c.id);
      actual_.clear();
      m_.expected.clear();
    }
    return true;
  }

  std::uint32_t seed_;
  std::mt19937 rng_;
  asio::io_context io_;
  iocpx::poller poller_;
  std::unique_ptr<iocpx::registration> regs_[slots];
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
  std::map<int, std::unique_ptr<asio::cancellation_signal>> signals_;
#endif
  std::map<int, std::vector<event>> buffers_;
  std::vector<completion> actual_;
  model m_;
  int next_id_ = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(readiness_model)

BOOST_AUTO_TEST_CASE(random_sequences_match_the_model)
{
  const std::uint32_t seeds[] = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987,
      1597, 2584, 4181, 6765, 10946};
  int passed = 0;
  for (std::uint32_t seed : seeds)
  {
    harness h(seed);
    if (h.run(3000))
      ++passed;
  }
  BOOST_TEST(passed == static_cast<int>(sizeof(seeds) / sizeof(seeds[0])));
}

BOOST_AUTO_TEST_SUITE_END()
