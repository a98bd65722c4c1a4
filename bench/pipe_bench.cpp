// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Overlapped named pipes, side by side in one process run: raw Win32 IOCP
// loops, plain Asio, and iocpx. Reports ratios (absolute times under Wine say
// nothing about Windows), heap allocations per operation, completion-port
// packets dequeued per operation (and how many of them were posted from user
// space), and ReadFile/WriteFile calls per operation. Packets, posts and
// calls are the program's real Win32 calls, counted at their import slots
// (win32_call_counter.hpp), so the calls made inside Asio and iocpx count
// like a raw loop's own.
//
//   pipe_bench [--quick] [--idle | --no-idle] [--only KEY | --list] [--rounds N]
//              [--workload NAME] [--bulk-mib N] [--out FILE] [--svg FILE]
//
// --idle runs only the idle-connections table (1,000 pipes only, as --quick;
// options after it are ignored), --no-idle all but it. --only
// runs one contender (a key that --list prints) and --workload one workload
// (its name in the table: "ping-pong 1 B", "bulk 4 KiB", "bulk 64 KiB"),
// printing only the runs: tools/bench-requests runs each so under strace to
// count its wineserver requests. --rounds and --bulk-mib set the length of
// a ping-pong run (round trips) and of a bulk run (MiB).
//
// Workloads: ping-pong (1 byte each way, round trips/s) and bulk transfer
// (64 MiB in 4 KiB and in 64 KiB writes, MB/s); one read and one write in
// flight, 64 KiB pipe buffers, one thread. Time and allocations are measured
// after each run's first eighth (its warm-up, inside the same run()); packet
// and call counts cover the whole run (from the workload's start to its
// end, set-up and tear-down excluded). Each cell is the median of 15 short
// ping-pong runs (each as many round trips as the raw loop makes in about
// 0.2 s, clamped to 250-20,000 — with --only, that contender's rate — unless
// --rounds or --quick says) or 3 bulk runs, interleaved. The markdown
// table goes to stdout and to FILE.

#include "bench_support.hpp"
#include "named_pipe_contenders.hpp"
#include "pipe_contenders.hpp"
#include "win32_call_counter.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace iocpx_bench;

namespace {

struct workload
{
  const char* name;
  const char* unit;
  bool ping_pong;
  std::size_t chunk;
  double libuv_ratio; // libuv uv_pipe vs the raw loop, from the facts note
};

struct cell
{
  sample median;
  bool measured = false;
};

std::string fmt(double v, int precision = 2)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

// A per-operation count: a small one that is not zero must not print as 0.00.
std::string fmt_count(double v)
{
  return fmt(v, v > 0 && v < 0.01 ? 5 : 2);
}

} // namespace

// Scale: user-space bytes per idle connected pipe, zero-byte and 4 KiB
// buffered probe, watched by its own async_wait or by one poller.
struct scale_row
{
  const char* strategy;
  idle_cost own_wait;
  idle_cost poller;
};

std::vector<scale_row> measure_scale(bool quick, std::size_t& allowed)
{
  std::vector<scale_row> scale;
  allowed = 0;
  for (std::size_t count : {std::size_t(1000), std::size_t(10000)})
  {
    if (quick && count > 1000)
      break;
    // The process-wide handle registry keeps the table it grew for `count`
    // bound handles after they are gone: grow it once first, so that no row
    // pays for it and every row gets the same share of it (what a first
    // round of pipes leaves behind, divided among them).
    const long long before_first = live_bytes();
    if (measure_idle(count, 0).pipes == 0)
      break;
    const double retained_share = static_cast<double>(live_bytes() - before_first) / count;
    auto add_share = [&](idle_cost c) {
      c.bytes_per_pipe += retained_share;
      return c;
    };
    idle_cost zero = add_share(measure_idle(count, 0));
    if (zero.pipes == 0)
      break;
    allowed = count;
    std::fprintf(stderr, "idle %zu: %.1f bytes per pipe retained after the first round (the registry's table)\n",
        count, retained_share);
    scale.push_back({"zero-byte probe (default)", zero, add_share(measure_idle(count, 0, idle_watch::poller))});
    scale.push_back({"zero-byte probe, after one write",
        add_share(measure_idle(count, 0, idle_watch::own_wait, true)),
        add_share(measure_idle(count, 0, idle_watch::poller, true))});
    scale.push_back({"buffered probe, 4 KiB", add_share(measure_idle(count, 4096)),
        add_share(measure_idle(count, 4096, idle_watch::poller))});
  }
  return scale;
}

void write_scale(std::ostream& md, const std::vector<scale_row>& scale, std::size_t allowed)
{
  md << "\nIdle connections: user-space bytes per connected, idle `named_pipe` watched for `readable` "
        "(the object plus the heap blocks it holds, plus its share of what the process keeps after a "
        "first round of as many pipes: the handle registry's table), server side: with its own pending `async_wait`, or registered in "
        "one `poller` that watches all of them (mio's model; the poller and its one pending "
        "`async_poll` are counted too). Wine allowed "
     << allowed << " pipe pairs in this run" << (allowed < 10000 ? " (10,000 was refused or skipped)" : "")
     << ".\n\n"
     << "| idle pipes | strategy | bytes per pipe, own async_wait | bytes per pipe, in a poller |\n"
        "|---:|---|---:|---:|\n";
  for (const scale_row& r : scale)
    md << "| " << r.own_wait.pipes << " | " << r.strategy << " | " << fmt(r.own_wait.bytes_per_pipe, 0)
       << " | " << fmt(r.poller.bytes_per_pipe, 0) << " |\n";
}

void write_scale_targets(std::ostream& md, const std::vector<scale_row>& scale)
{
  double own = 0, polled = 0;
  for (const scale_row& r : scale)
    if (r.strategy[0] == 'z')
    {
      own = std::max(own, r.own_wait.bytes_per_pipe);
      polled = std::max(polled, r.poller.bytes_per_pipe);
    }
  auto verdict = [](double v) { return v > 0 && v <= 256 ? "pass" : "short"; };
  md << "| user-space bytes per idle pipe, zero-byte probe, in a poller (worst row: after one write) | " << fmt(polled, 0)
     << " | | <= 256 | " << verdict(polled) << " |\n";
  md << "| user-space bytes per idle pipe, zero-byte probe, own async_wait (worst row: after one write) | " << fmt(own, 0)
     << " | | <= 256 | " << verdict(own) << " |\n";
}

int main(int argc, char** argv)
{
  // Before anything else, while this is the only thread: from here on every
  // ReadFile, WriteFile, PostQueuedCompletionStatus and
  // GetQueuedCompletionStatus(Ex) call in this program is counted, the
  // ones Asio and iocpx make inside themselves like the raw loops' own, so
  // that every contender's counts are made the same way.
  install_win32_call_counter();
  // Ping-pong: many short runs. The machine's speed drifts within seconds
  // (see median_of_ratios), and a ratio is only as good as the two runs it
  // compares are close in time: 15 runs of about 0.2 s each (the round
  // trips per run are calibrated below) pair contenders measured a fraction
  // of a second apart. (Odd counts: the median is then a run's own figure.)
  int rounds = 0; // 0: chosen by calibration (below)
  int ping_pong_repeats = 15;
  std::size_t bulk_bytes = std::size_t(64) << 20;
  int repeats = 3;
  bool quick = false;
  std::string out_file;
  std::string svg_file;
  std::string only; // one contender's key: for profiling it (strace, perf)
  bool idle = true;  // the idle-connections table (--no-idle: a second run skips it)
  bool list = false; // --list: print each contender's key and name, run nothing
  std::string only_workload; // --workload: one workload's name (with --only)
  for (int i = 1; i < argc; ++i)
  {
    if (std::strcmp(argv[i], "--quick") == 0)
    {
      rounds = 100;
      ping_pong_repeats = 3;
      bulk_bytes = std::size_t(4) << 20;
      repeats = 1;
      quick = true;
    }
    else if (std::strcmp(argv[i], "--idle") == 0)
    {
      // Only the idle-connection table (quick to rerun while tuning).
      std::size_t allowed = 0;
      const std::vector<scale_row> scale = measure_scale(true, allowed);
      write_scale(std::cout, scale, allowed);
      std::cout << targets_header();
      write_scale_targets(std::cout, scale);
      return 0;
    }
    else if (std::strcmp(argv[i], "--no-idle") == 0)
      idle = false;
    else if (std::strcmp(argv[i], "--list") == 0)
      list = true;
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else if (std::strcmp(argv[i], "--workload") == 0 && i + 1 < argc)
      only_workload = argv[++i];
    else if (std::strcmp(argv[i], "--bulk-mib") == 0 && i + 1 < argc)
      bulk_bytes = std::size_t(std::max(1, std::atoi(argv[++i]))) << 20;
    else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = std::max(16, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_file = argv[++i];
    else if (std::strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
      svg_file = argv[++i];
  }

  const std::vector<workload> workloads = {
      {"ping-pong 1 B", "round trips/s", true, 1, 0.81},
      {"bulk 4 KiB", "MB/s", false, 4096, 0.81},
      {"bulk 64 KiB", "MB/s", false, 65536, 0.64},
  };
  std::vector<contender> contenders = all_contenders();
  add_named_pipe_contenders(contenders);
  if (list)
  {
    for (const contender& c : contenders)
      std::printf("%s\t%s\n", c.key.c_str(), c.name.c_str());
    return 0;
  }
  if (!only.empty())
  {
    contenders.erase(std::remove_if(contenders.begin(), contenders.end(),
                         [&](const contender& c) { return c.key != only; }),
        contenders.end());
    if (contenders.empty())
    {
      std::fprintf(stderr, "--only: no contender has the key %s\n", only.c_str());
      return 2;
    }
  }

  // Round trips per ping-pong run: enough for about 0.2 s of the raw loop.
  // How fast a round trip is under Wine depends above all on whether the
  // program and the wineserver share one CPU (tools/bench pins both) or wake
  // each other across CPUs: about 16,000 against 1,000 round trips/s here.
  if (rounds == 0)
  {
    const contender& calibrate = contenders.front(); // the raw loop (unless --only)
    double rate = 0;
    for (int i = 0; i < 2; ++i) // the first run warms up
      rate = calibrate.ping_pong(250).rate;
    rounds = std::clamp(static_cast<int>(rate * 0.2) / 50 * 50, 250, 20000);
    std::fprintf(stderr, "calibration: %s %.0f round trips/s: %d round trips per ping-pong run\n",
        calibrate.name.c_str(), rate, rounds);
  }

  std::vector<std::vector<std::vector<sample>>> runs(
      contenders.size(), std::vector<std::vector<sample>>(workloads.size()));
  // Every other round runs the contenders in reverse order, so that a
  // steady drift of the machine's speed favours no contender.
  for (int rep = 0; rep < std::max(repeats, ping_pong_repeats); ++rep)
    for (std::size_t w = 0; w < workloads.size(); ++w)
      for (std::size_t i = 0; i < contenders.size(); ++i)
      {
        if (rep >= (workloads[w].ping_pong ? ping_pong_repeats : repeats))
          break;
        if (!only_workload.empty() && only_workload != workloads[w].name)
          break;
        const std::size_t c = rep % 2 == 0 ? i : contenders.size() - 1 - i;
        sample s = workloads[w].ping_pong ? contenders[c].ping_pong(rounds)
                                          : contenders[c].bulk(bulk_bytes, workloads[w].chunk);
        runs[c][w].push_back(s);
        std::fprintf(stderr, "  run %d  %-42s %-14s %10.1f %s\n", rep + 1, contenders[c].name.c_str(),
            workloads[w].name, s.rate, workloads[w].unit);
      }

  if (!only.empty() || !only_workload.empty())
    return 0; // the runs' lines above are the output (no targets without the others)

  // Medians per cell (each field separately).
  std::vector<std::vector<cell>> cells(contenders.size(), std::vector<cell>(workloads.size()));
  for (std::size_t c = 0; c < contenders.size(); ++c)
    for (std::size_t w = 0; w < workloads.size(); ++w)
    {
      auto pick = [&](double sample::*field) {
        std::vector<double> v;
        for (const sample& s : runs[c][w])
          v.push_back(s.*field);
        return median(v);
      };
      cells[c][w].median.rate = pick(&sample::rate);
      // Allocations: the most of any run, not the median, so that a path
      // that allocates in some runs only is not reported as 0.
      for (const sample& s : runs[c][w])
        cells[c][w].median.allocs_per_op = std::max(cells[c][w].median.allocs_per_op, s.allocs_per_op);
      cells[c][w].median.dequeues_per_op = pick(&sample::dequeues_per_op);
      cells[c][w].median.posts_per_op = pick(&sample::posts_per_op);
      cells[c][w].median.calls_per_op = pick(&sample::calls_per_op);
      cells[c][w].measured = true;
    }
  auto find = [&](const char* key) -> int {
    for (std::size_t c = 0; c < contenders.size(); ++c)
      if (contenders[c].key == key)
        return static_cast<int>(c);
    return -1;
  };
  const int raw = find("raw");
  const int stream_handle = find("asio_stream_handle");
  auto rate = [&](int c, std::size_t w) { return c < 0 ? 0.0 : cells[std::size_t(c)][w].median.rate; };
  auto ratio = [&](int a, int b, std::size_t w) {
    return (a < 0 || b < 0) ? 0.0
                            : median_of_ratios(runs[std::size_t(a)][w], runs[std::size_t(b)][w],
                                  [](const sample& s) { return s.rate; });
  };
  auto ratio_spread = [&](int a, int b, std::size_t w) {
    return (a < 0 || b < 0) ? spread{}
                            : spread_of_ratios(runs[std::size_t(a)][w], runs[std::size_t(b)][w],
                                  [](const sample& s) { return s.rate; });
  };

  std::ostringstream md;
  md << "Overlapped byte-mode pipe pair, 64 KiB pipe buffers, one read and one write in flight, one thread; "
     << rounds << " round trips per ping-pong run, median of " << ping_pong_repeats << " runs; "
     << (bulk_bytes >> 20) << " MiB per bulk run, median of " << repeats
     << " runs. Runs are interleaved (all contenders, then all again in reverse order), a ratio is the "
        "median of the runs' ratios, and each run is timed after its first eighth (the warm-up, in the same "
        "`run()`).\n\n";
  md << "| contender |";
  for (const workload& w : workloads)
    md << ' ' << w.name << " (" << w.unit << ") | vs raw | vs stream_handle |";
  md << "\n|---|";
  for (std::size_t w = 0; w < workloads.size(); ++w)
    md << "---:|---:|---:|";
  md << '\n';
  for (std::size_t c = 0; c < contenders.size(); ++c)
  {
    md << "| " << contenders[c].name << " |";
    for (std::size_t w = 0; w < workloads.size(); ++w)
    {
      const double r = rate(int(c), w);
      md << ' ' << fmt(r, 1) << " | " << fmt(ratio(int(c), raw, w)) << " | " << fmt(ratio(int(c), stream_handle, w))
         << " |";
    }
    md << '\n';
  }

  md << "\nCounts per user operation (a read or a write): heap allocations in the steady state (after the "
        "warm-up; the most of any run, the other counts are medians), port packets dequeued (of which posted from user space) and ReadFile/WriteFile calls "
        "over the whole run. Packets, posts and calls are the program's own calls of "
        "GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus, ReadFile and WriteFile, counted "
        "at their import slots: those made inside Asio and iocpx count like a raw loop's own.\n\n";
  md << "| contender |";
  for (const workload& w : workloads)
    md << ' ' << w.name << ": allocs | packets (posted) | calls |";
  md << "\n|---|";
  for (std::size_t w = 0; w < workloads.size(); ++w)
    md << "---:|---:|---:|";
  md << '\n';
  for (std::size_t c = 0; c < contenders.size(); ++c)
  {
    md << "| " << contenders[c].name << " |";
    for (std::size_t w = 0; w < workloads.size(); ++w)
    {
      const sample& s = cells[c][w].median;
      md << ' ' << fmt_count(s.allocs_per_op) << " | " << fmt(s.dequeues_per_op) << " (" << fmt(s.posts_per_op) << ") | "
         << fmt(s.calls_per_op) << " |";
    }
    md << '\n';
  }

  std::size_t allowed = 0;
  std::vector<scale_row> scale;
  if (idle)
  {
    scale = measure_scale(quick, allowed);
    write_scale(md, scale, allowed);
  }

  // Targets of the benchmark issue that this program can check.
  struct target
  {
    std::string what;
    double ratio;
    spread runs;
    double goal;
  };
  std::vector<target> targets;
  auto compare = [&](std::string what, int a, int b, std::size_t w, double goal, double scale = 1.0) {
    spread runs = ratio_spread(a, b, w);
    runs.low /= scale;
    runs.high /= scale;
    targets.push_back({std::move(what), ratio(a, b, w) / scale, runs, goal});
  };
  const int overlapped_ptr = find("asio_overlapped_ptr");
  compare("ping-pong: iocpx async_overlapped + skip vs Asio overlapped_ptr", find("iocpx_async_overlapped_skip"),
      overlapped_ptr, 0, 1.10);
  compare("ping-pong: iocpx async_overlapped (no skip) vs Asio overlapped_ptr", find("iocpx_async_overlapped"),
      overlapped_ptr, 0, 0.98);
  const int best_pipe = find("iocpx_named_pipe") >= 0 ? find("iocpx_named_pipe") : find("iocpx_async_overlapped_skip");
  const std::string best_name = contenders[std::size_t(best_pipe)].name;
  compare("ping-pong: " + best_name + " vs Asio stream_handle", best_pipe, stream_handle, 0, 1.10);
  compare("bulk 4 KiB: " + best_name + " vs Asio stream_handle", best_pipe, stream_handle, 1, 2.5);
  compare("bulk 64 KiB: " + best_name + " vs Asio stream_handle", best_pipe, stream_handle, 2, 0.98);
  for (std::size_t w = 0; w < workloads.size(); ++w)
    compare(std::string(workloads[w].name) + ": " + best_name + " vs libuv uv_pipe (" +
            fmt(workloads[w].libuv_ratio) + " x raw, from the facts note)",
        best_pipe, raw, w, 1.2, workloads[w].libuv_ratio);
  const int completion_api = find("iocpx_named_pipe");
  const int readiness = find("iocpx_named_pipe_readiness");
  const int readiness_buffered = find("iocpx_named_pipe_readiness_buffered");
  if (readiness >= 0)
    compare("ping-pong: iocpx named pipe readiness API (zero-byte probe) vs its completion API", readiness,
        completion_api, 0, 0.9);
  if (readiness_buffered >= 0)
    compare("ping-pong: iocpx named pipe readiness API (4 KiB probe) vs its completion API", readiness_buffered,
        completion_api, 0, 0.9);
  double worst_allocs = 0;
  for (std::size_t c = 0; c < contenders.size(); ++c)
    if (contenders[c].key.rfind("iocpx", 0) == 0)
      for (std::size_t w = 0; w < workloads.size(); ++w)
        worst_allocs = std::max(worst_allocs, cells[c][w].median.allocs_per_op);

  md << targets_header();
  for (const target& t : targets)
    // Three decimals: a ratio just under its goal must not print as equal.
    md << "| " << t.what << " | " << fmt(t.ratio, 3) << " x | " << format_spread(t.runs) << " | >= "
       << fmt(t.goal) << " x | " << (t.ratio >= t.goal ? "pass" : "short") << " |\n";
  if (idle)
    write_scale_targets(md, scale);
  md << "| heap allocations per operation, every iocpx path | " << fmt_count(worst_allocs) << " | | 0 | "
     << (worst_allocs == 0 ? "pass" : "short") << " |\n";

  if (!svg_file.empty())
  {
    // Grouped horizontal bars: each contender's ratio to the raw loop, per
    // workload, with the raw loop's 1.0 marked.
    const double bar = 12, gap = 4, group_gap = 18, left = 330, width = 420, max_ratio = 3.0;
    const char* colors[] = {"#4e79a7", "#f28e2b", "#59a14f"};
    const double height = 60 + contenders.size() * (workloads.size() * (bar + gap) + group_gap);
    std::ofstream svg(svg_file);
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << left + width + 60 << "' height='" << height
        << "' font-family='sans-serif' font-size='12'>\n"
        << "<text x='10' y='20' font-size='14'>Throughput relative to a raw GetQueuedCompletionStatus loop "
           "(Wine 8.0; ratios, not times)</text>\n";
    for (std::size_t w = 0; w < workloads.size(); ++w)
      svg << "<rect x='" << 10 + w * 150 << "' y='32' width='10' height='10' fill='" << colors[w] << "'/><text x='"
          << 24 + w * 150 << "' y='41'>" << workloads[w].name << "</text>\n";
    double y = 60;
    for (std::size_t c = 0; c < contenders.size(); ++c)
    {
      svg << "<text x='" << left - 8 << "' y='" << y + (workloads.size() * (bar + gap)) / 2 + 4
          << "' text-anchor='end'>" << contenders[c].name << "</text>\n";
      for (std::size_t w = 0; w < workloads.size(); ++w)
      {
        const double r = ratio(int(c), raw, w);
        const double len = std::min(r, max_ratio) / max_ratio * width;
        svg << "<rect x='" << left << "' y='" << y << "' width='" << len << "' height='" << bar << "' fill='"
            << colors[w] << "'/><text x='" << left + len + 4 << "' y='" << y + bar - 2 << "'>" << fmt(r)
            << "</text>\n";
        y += bar + gap;
      }
      y += group_gap;
    }
    const double one = left + width / max_ratio;
    svg << "<line x1='" << one << "' y1='50' x2='" << one << "' y2='" << height - 10
        << "' stroke='#333' stroke-dasharray='4 3'/><text x='" << one + 3 << "' y='58'>1.0 = raw loop</text>\n";
    svg << "</svg>\n";
  }

  std::printf("%s", md.str().c_str());
  if (!out_file.empty())
  {
    std::ofstream f(out_file);
    f << md.str();
  }
  return 0;
}
