// capinspect unit: is each service confined the way its unit says? The configured sandbox
// comes from systemd over D-Bus (systemd_bus.h), the live state of every process and thread
// in the unit's cgroup from the library's walk, and unit_checks.h compares them.
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/process.h>
#include <capinspect/proc_root.h>

#include "capinspect/capinspect.h"
#include "capinspect/systemd_bus.h"
#include "capinspect/text.h"
#include "capinspect/unit_checks.h"
#include "common/cli.h"
#include "common/json.h"
#include "common/process_columns.h"

namespace capinspect::auditor {
namespace {

struct Options {
    std::vector<std::string> units;
    bool all = false;
    bool json = false;
    bool no_color = false;
};

int print_help() {
    cli::write_out(
        "Usage:\n"
        " capinspect unit [options] <unit>...\n"
        " capinspect unit [options] --all\n"
        "\n"
        "Check that the processes of each service are confined the way its unit says:\n"
        "the sandbox systemd reports (drop-ins included) against the live credentials,\n"
        "capabilities, no_new_privs, seccomp filters, mounts and namespaces of every\n"
        "process and thread in the unit's cgroup.\n"
        "\n"
        "Options:\n"
        " -a, --all        every loaded service with running processes\n"
        " -J, --json       JSON output\n"
        "     --no-color   no colour, even on a terminal\n"
        " -h, --help       display this help\n"
        "\n"
        "A unit name without a suffix means NAME.service.\n"
        "Exit status: 0 every check ok (or unobservable), 1 drift, 2 could not check.\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

std::optional<int> parse_options(int argc, char** argv, Options& opt) {
    enum { opt_no_color = 256 };
    static const struct option long_options[] = {
        {"all", no_argument, nullptr, 'a'},
        {"json", no_argument, nullptr, 'J'},
        {"no-color", no_argument, nullptr, opt_no_color},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":aJh", long_options, nullptr)) != -1) {
        switch (c) {
        case 'a': opt.all = true; break;
        case 'J': opt.json = true; break;
        case opt_no_color: opt.no_color = true; break;
        case 'h': return print_help();
        default: return cli::option_error(c, argv, long_options, exit_error);
        }
    }
    for (int i = optind; i < argc; ++i) opt.units.emplace_back(argv[i]);
    if (opt.all && !opt.units.empty()) return cli::usage_error("--all takes no unit names", exit_error);
    if (!opt.all && opt.units.empty()) return cli::usage_error("no unit given (name one, or --all)", exit_error);
    return std::nullopt;
}

// "ssh" → "ssh.service"; another unit type is refused (only services have a sandbox).
std::optional<std::string> service_name(const std::string& name, std::string& error) {
    std::string full = name;
    size_t dot = full.rfind('.');
    if (dot == std::string::npos || full.find('/') != std::string::npos) full += ".service";
    else if (full.substr(dot) != ".service") {
        error = "unit " + name + ": only services are checked";
        return std::nullopt;
    }
    return full;
}

// A cgroup path as systemd reports it must be one the walk can follow below
// /sys/fs/cgroup: absolute, no empty, "." or ".." component.
bool valid_cgroup(const std::string& path) {
    if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) return false;
    size_t i = 1;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string_view part(path.data() + i, j - i);
        if ((part.empty() && j != path.size()) || part == "." || part == "..") return false;
        i = j + 1;
    }
    return true;
}

CheckEnvironment environment(Cap last_cap) {
    CheckEnvironment env;
    env.last_cap = last_cap;
    env.resolve_user = [](const std::string& name) -> std::optional<std::uint32_t> {
        if (struct passwd* pw = getpwnam(name.c_str())) return pw->pw_uid;
        return std::nullopt;
    };
    env.user_name = [](std::uint32_t uid) -> std::string {
        if (struct passwd* pw = getpwuid(uid)) return pw->pw_name;
        return "";
    };
    env.path_exists = [](const std::string& path) {
        struct stat st {};
        return lstat(path.c_str(), &st) == 0;
    };
    env.mtime_usec = [](const std::string& path) -> std::optional<std::uint64_t> {
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0) return std::nullopt;
        return static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000u +
               static_cast<std::uint64_t>(st.st_mtim.tv_nsec) / 1000u;
    };
    env.birth_usec = [](const std::string& path) -> std::optional<std::uint64_t> {
        // Only the birth time: the status change time moves with every entry made inside.
        struct statx stx {};
        if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) != 0 ||
            !(stx.stx_mask & STATX_BTIME))
            return std::nullopt;
        return static_cast<std::uint64_t>(stx.stx_btime.tv_sec) * 1'000'000u + stx.stx_btime.tv_nsec / 1000u;
    };
    return env;
}

struct Audited {
    UnitConfig config;
    std::vector<Process> processes;
    UnitReport report;
};

// The configured value for a person: long lists summarised.
std::string configured_text(const Check& k) {
    if (!k.configured) return "";
    const std::string& v = *k.configured;
    if (v.rfind("no (implied by ", 0) == 0) return v.substr(4, v.find(' ', 15) - 4);  // "implied by X="
    if (v.size() <= 30) return v;
    if (k.setting == "SystemCallFilter" || k.setting == "RestrictAddressFamilies") {
        bool deny = !v.empty() && v[0] == '~';
        size_t n = std::count(v.begin(), v.end(), ' ') + 1;
        return fmt::format("{} of {} {}", deny ? "deny-list" : "allow-list", n,
                           k.setting == "SystemCallFilter" ? "system calls" : "families");
    }
    return v.substr(0, 27) + "...";
}

class TextReport {
public:
    explicit TextReport(bool no_color) : style_(no_color) {}

    void print(const std::vector<Audited>& units) {
        std::string out;
        for (size_t i = 0; i < units.size(); ++i) {
            if (i) out += '\n';
            unit(out, units[i]);
        }
        cli::write_out(out);
    }

private:
    std::string verdict_word(Verdict v) const {
        switch (v) {
        case Verdict::ok: return style_.paint("32", "ok");
        case Verdict::drift: return style_.paint("1;31", "DRIFT");
        case Verdict::unobservable: return style_.paint("33", "unobservable");
        case Verdict::not_set: return "not set";
        }
        return "?";
    }

    void unit(std::string& out, const Audited& a) {
        const UnitReport& r = a.report;
        size_t threads = 0;
        for (const Process& p : a.processes) threads += p.threads.size();
        std::string head;
        switch (r.verdict) {
        case UnitVerdict::ok: head = style_.paint("1;32", "ok"); break;
        case UnitVerdict::drift: head = style_.paint("1;31", "DRIFT"); break;
        case UnitVerdict::not_running: head = style_.paint("33", "not running"); break;
        }
        std::string counts;
        if (!a.processes.empty()) {
            counts = fmt::format(" ({} process{}", a.processes.size(), a.processes.size() == 1 ? "" : "es");
            if (threads) counts += fmt::format(", {} more thread{}", threads, threads == 1 ? "" : "s");
            counts += ")";
        }
        out += fmt::format("{}: {}{}\n", style_.paint("1", safe_text(r.unit)), head, counts);
        std::string files = a.config.fragment_path;
        for (const std::string& d : a.config.dropin_paths) files += (files.empty() ? "" : ", ") + d;
        if (!files.empty()) out += fmt::format("  from {}\n", safe_text(files));

        std::vector<std::string> unset;
        for (const Check& k : r.checks) {
            if (k.verdict == Verdict::not_set) {
                unset.push_back(k.setting);
                continue;
            }
            // The verdict word is padded by hand: colour codes have no width.
            std::string word = verdict_word(k.verdict);
            size_t shown = k.verdict == Verdict::drift ? 5 : std::string_view(verdict_name(k.verdict)).size();
            out += "  " + word + std::string(shown < 13 ? 13 - shown : 1, ' ');
            out += cli::pad_bytes(k.setting, 23) + " ";
            out += cli::pad_bytes(safe_text(configured_text(k)), 30) + " ";
            out += safe_text(k.live_brief ? *k.live_brief : k.live.value_or("")) + "\n";
        }
        if (!unset.empty()) {
            std::string list;
            for (const std::string& s : unset) list += (list.empty() ? "" : ", ") + s;
            out += fmt::format("  not set: {}\n", list);
        }
        for (const std::string& n : r.notes) out += fmt::format("  note: {}\n", safe_text(n));
        for (const std::string& e : r.errors) out += fmt::format("  {}: {}\n", style_.paint("33", "incomplete"), safe_text(e));
    }

    Style style_;
};

cli::Json json_report(const std::vector<Audited>& units, Cap last_cap) {
    namespace pc = cli::process_column;
    cli::ProcessCells cells(last_cap);
    cli::Json doc = cli::json_document();
    cli::Json list = cli::Json::array();
    for (const Audited& a : units) {
        const UnitReport& r = a.report;
        cli::Json u = cli::Json::object();
        u["unit"] = cli::json_name(r.unit);
        u["verdict"] = unit_verdict_name(r.verdict);
        cli::Json checks = cli::Json::array();
        for (const Check& k : r.checks) {
            cli::Json c = cli::Json::object();
            c["setting"] = k.setting;
            c["configured"] = k.configured ? cli::json_name(*k.configured) : cli::Json(nullptr);
            c["live"] = k.live ? cli::json_name(*k.live) : cli::Json(nullptr);
            c["verdict"] = verdict_name(k.verdict);
            c["pids"] = k.pids;
            checks.push_back(std::move(c));
        }
        u["checks"] = std::move(checks);
        cli::Json notes = cli::Json::array();
        for (const std::string& n : r.notes) notes.push_back(cli::json_name(n));
        u["notes"] = std::move(notes);
        cli::Json errors = cli::Json::array();
        for (const std::string& e : r.errors) errors.push_back(cli::json_name(e));
        u["errors"] = std::move(errors);
        cli::Json procs = cli::Json::array();
        for (const Process& p : a.processes) {
            cli::Json o = cells.object(p, p.status,
                                       {pc::pid, pc::ppid, pc::uid, pc::user, pc::command, pc::effective, pc::permitted,
                                        pc::bounding, pc::ambient, pc::no_new_privs, pc::seccomp, pc::seccomp_filters});
            std::vector<pid_t> tids;
            for (const ProcessThread& t : p.threads) tids.push_back(t.tid);
            o["tids"] = tids;
            procs.push_back(std::move(o));
        }
        u["processes"] = std::move(procs);
        list.push_back(std::move(u));
    }
    doc["units"] = std::move(list);
    return doc;
}

}  // namespace

int run_unit(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    std::vector<std::string> errors;
    std::vector<std::string> names;
    for (const std::string& u : opt.units) {
        std::string error;
        if (auto name = service_name(u, error))
            names.push_back(*name);
        else
            errors.push_back(error);
    }

    auto root = ProcRoot::open();
    if (!root) {
        cli::warnf("cannot open {}: {}", default_proc_path, root.error().message());
        return exit_error;
    }
    Cap last_cap = live_cap_last_cap();

    auto bus = SystemdBus::open();
    if (!bus) {
        for (const std::string& e : errors) cli::warn(e);
        cli::warn(bus.error().message());
        return exit_error;
    }
    std::vector<std::pair<std::string, std::string>> targets;  // name, object path
    if (opt.all) {
        auto services = bus->list_services();
        if (!services) {
            cli::warn(services.error().message());
            return exit_error;
        }
        targets = std::move(*services);
    } else {
        for (const std::string& name : names) {
            auto path = bus->unit_path(name);
            if (!path) {
                // No systemd at all: one line, then stop.
                if (is_unreachable(path.error())) {
                    for (const std::string& e : errors) cli::warn(e);
                    cli::warn(path.error().message());
                    return exit_error;
                }
                errors.push_back(path.error().message());
                continue;
            }
            targets.emplace_back(name, *path);
        }
    }

    std::vector<Audited> audited;
    unsigned facts_needed = 0;
    auto configs = bus->read_units(targets);
    for (size_t i = 0; i < targets.size(); ++i) {
        const std::string& name = targets[i].first;
        auto& config = configs[i];
        if (!config) {
            if (is_unreachable(config.error())) {
                cli::warn(config.error().message());
                return exit_error;
            }
            errors.push_back(config.error().message());
            continue;
        }
        if (config->load_state == "not-found") {
            errors.push_back("unit " + name + " not found");
            continue;
        }
        if (!config->control_group.empty() && !valid_cgroup(config->control_group)) {
            errors.push_back("systemd gave " + name + " the malformed ControlGroup " + config->control_group);
            continue;
        }
        if (opt.all && config->control_group.empty()) continue;
        facts_needed |= unit_facts(*config);
        audited.push_back({std::move(*config), {}, {}});
    }

    // The manager's own view, the reference of the checks.
    ReadFailures failures;
    std::optional<Process> manager;
    {
        ProcessQuery q;
        q.pids = {1};
        q.facts = facts_needed;
        ReadFailures ignored;
        if (auto pid1 = list_processes(*root, q, ignored); pid1 && !pid1->empty()) manager = std::move(pid1->front());
    }

    CheckEnvironment env = environment(last_cap);
    std::vector<Audited> shown;
    for (Audited& a : audited) {
        if (!a.config.control_group.empty()) {
            ProcessQuery q;
            q.cgroup = a.config.control_group;
            q.threads = true;
            q.facts = unit_facts(a.config);
            auto processes = list_processes(*root, q, failures);
            if (!processes) {
                errors.push_back("cannot list the processes of " + a.config.id + ": " + processes.error().message());
                continue;
            }
            a.processes = std::move(*processes);
        }
        if (opt.all && a.processes.empty()) continue;  // its processes are gone meanwhile
        a.report = check_unit(a.config, a.processes, manager ? &*manager : nullptr, env);
        shown.push_back(std::move(a));
    }

    if (opt.json)
        cli::print_json(json_report(shown, last_cap));
    else
        TextReport(opt.no_color).print(shown);

    // The status, and its reason on stderr.
    cli::report_read_failures(failures);
    for (const std::string& e : errors) cli::warn(e);
    bool incomplete = !errors.empty() || failures.malformed || !failures.unreadable.empty();
    std::string drift;
    for (const Audited& a : shown) {
        const UnitReport& r = a.report;
        if (r.verdict == UnitVerdict::not_running) {
            cli::warnf("{}: no process is running: nothing to check", r.unit);
            incomplete = true;
        }
        for (const std::string& e : r.errors) {
            cli::warnf("{}: {}", r.unit, e);
            incomplete = true;
        }
        if (r.verdict != UnitVerdict::drift) continue;
        std::string settings;
        for (const Check& k : r.checks)
            if (k.verdict == Verdict::drift) settings += (settings.empty() ? "" : ", ") + k.setting;
        drift += (drift.empty() ? "" : "; ") + r.unit + " (" + settings + ")";
    }
    if (!drift.empty()) cli::warnf("drift in {}", drift);
    if (opt.all && shown.empty() && errors.empty()) cli::warn("no service with running processes");
    if (incomplete) return exit_error;
    return drift.empty() ? exit_clean : exit_findings;
}

}  // namespace capinspect::auditor
