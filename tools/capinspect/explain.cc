// capinspect explain: why a process holds each capability (or what stops it). It reads
// the process, its threads and its ancestors through the library's walk, its service's
// unit from systemd when it runs in one, and pam_cap's capability.conf when present;
// explain_rules.h makes the derivation.
#include <dirent.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/process.h>
#include <capinspect/proc_root.h>

#include "capinspect/capinspect.h"
#include "capinspect/explain_rules.h"
#include "capinspect/systemd_bus.h"
#include "capinspect/text.h"
#include "common/cli.h"
#include "common/json.h"
#include "common/process_columns.h"

namespace capinspect::auditor {
namespace {

constexpr const char* capability_conf = "/etc/security/capability.conf";
constexpr const char* pam_dir = "/etc/pam.d";

struct Options {
    pid_t pid = 0;
    std::vector<std::string> caps;
    bool json = false;
    bool no_color = false;
};

int print_help() {
    cli::write_out(
        "Usage:\n"
        " capinspect explain [options] <pid> [<capability>...]\n"
        "\n"
        "Explain why a process holds each capability it holds in any set (or each one\n"
        "named, held or not): where it can come from (file capabilities, a set-user-ID\n"
        "root executable, uid 0, the ambient and inheritable sets, the unit, pam_cap),\n"
        "what limits it (the bounding set, no_new_privs, the user namespace), and threads\n"
        "that differ. Each step is marked observed, inferred or not observable.\n"
        "\n"
        "Options:\n"
        " -J, --json       JSON output\n"
        "     --no-color   no colour, even on a terminal\n"
        " -h, --help       display this help\n"
        "\n"
        "Capabilities are names, with or without cap_, or numbers.\n"
        "Exit status: 0 explained, 2 could not explain (no such process, bad arguments).\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

std::optional<int> parse_options(int argc, char** argv, Options& opt) {
    enum { opt_no_color = 256 };
    static const struct option long_options[] = {
        {"json", no_argument, nullptr, 'J'},
        {"no-color", no_argument, nullptr, opt_no_color},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":Jh", long_options, nullptr)) != -1) {
        switch (c) {
        case 'J': opt.json = true; break;
        case opt_no_color: opt.no_color = true; break;
        case 'h': return print_help();
        default: return cli::option_error(c, argv, long_options, exit_error);
        }
    }
    std::vector<std::string> operands(argv + optind, argv + argc);
    if (operands.empty()) return cli::usage_error("no process id given", exit_error);
    const std::string& p = operands[0];
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || errno || value <= 0 || value > INT_MAX)
        return cli::usage_error(fmt::format("invalid process id '{}'", escape_name(p)), exit_error);
    opt.pid = static_cast<pid_t>(value);
    opt.caps.assign(operands.begin() + 1, operands.end());
    return std::nullopt;
}

std::optional<std::string> read_text_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// pam_cap's view of the process's user (its real uid): what capability.conf gives it and
// which PAM services load the module.
std::optional<PamContext> pam_context(uid_t uid, Cap last_cap) {
    auto conf = read_text_file(capability_conf);
    if (!conf) return std::nullopt;
    PamContext ctx;
    struct passwd* pw = getpwuid(uid);
    if (!pw) {
        ctx.user = std::to_string(uid);
        ctx.problem = fmt::format("uid {} has no account here, so no line can name it", uid);
        return ctx;
    }
    ctx.user = pw->pw_name;
    std::vector<std::string> groups;
    int n = 64;
    std::vector<gid_t> gids(static_cast<size_t>(n));
    if (getgrouplist(pw->pw_name, pw->pw_gid, gids.data(), &n) < 0 && n > 0) {
        gids.resize(static_cast<size_t>(n));
        getgrouplist(pw->pw_name, pw->pw_gid, gids.data(), &n);
    }
    for (int i = 0; i < n && i < static_cast<int>(gids.size()); ++i)
        if (struct group* g = getgrgid(gids[static_cast<size_t>(i)])) groups.emplace_back(g->gr_name);
    if (DIR* d = opendir(pam_dir)) {
        std::set<std::string> files;
        while (struct dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::string path = std::string(pam_dir) + "/" + e->d_name;
            if (auto text = read_text_file(path.c_str()); text && pam_config_uses_pam_cap(*text)) files.insert(path);
        }
        closedir(d);
        ctx.pam_files.assign(files.begin(), files.end());
    }
    auto rules = parse_capability_conf(*conf);
    if (const PamCapRule* r = find_pam_cap_rule(rules, ctx.user, groups)) {
        ctx.rule = *r;
        auto grant = parse_pam_cap_iab(r->caps, last_cap);
        if (grant)
            ctx.grant = *grant;
        else
            ctx.problem = fmt::format("line {}: {} (pam_cap then changes nothing)", r->line, grant.error().message());
    }
    return ctx;
}

// The unit's settings when the process runs in a system service.
void read_unit(const Process& p, ExplainContext& ctx) {
    if (!p.cgroup || !p.cgroup->system_unit()) return;
    const std::string& unit = p.cgroup->unit;
    if (unit.size() < 8 || unit.compare(unit.size() - 8, 8, ".service") != 0) return;
    auto bus = SystemdBus::open();
    if (!bus) {
        ctx.unit_problem = bus.error().message();
        return;
    }
    auto path = bus->unit_path(unit);
    if (!path) {
        ctx.unit_problem = path.error().message();
        return;
    }
    auto config = bus->read_unit(*path, unit);
    if (!config) {
        ctx.unit_problem = config.error().message();
        return;
    }
    ctx.unit = std::move(*config);
}

void print_text(const ExplainContext& ctx, const std::vector<Explanation>& list, bool no_color) {
    Style style(no_color);
    const Process& p = *ctx.process;
    cli::ProcessCells cells(ctx.last_cap);
    std::string out = fmt::format("pid {} ({}), uid {} ({})", p.pid, safe_text(p.status.name), p.status.uid.effective,
                                  safe_text(cells.user(p.status.uid.effective)));
    if (p.status.uid.real != p.status.uid.effective) out += fmt::format(", real uid {}", p.status.uid.real);
    if (p.exe) out += ", exe " + safe_text(*p.exe + (p.exe_deleted ? " (deleted)" : ""));
    if (p.cgroup && !p.cgroup->unit.empty()) out += ", unit " + safe_text(p.cgroup->unit);
    out += "\n";
    if (list.empty()) out += "it holds no capability in any set\n";
    // Capabilities with the same derivation (all of root's, say) are shown once.
    auto same = [](const Explanation& a, const Explanation& b) {
        if (a.held != b.held || a.steps.size() != b.steps.size()) return false;
        for (size_t i = 0; i < a.steps.size(); ++i)
            if (a.steps[i].evidence != b.steps[i].evidence || std::string_view(a.steps[i].role) != b.steps[i].role ||
                a.steps[i].detail != b.steps[i].detail)
                return false;
        return true;
    };
    std::vector<std::vector<const Explanation*>> groups;
    for (const Explanation& e : list) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return same(*g.front(), e); });
        if (it == groups.end())
            groups.push_back({&e});
        else
            it->push_back(&e);
    }
    for (const auto& g : groups) {
        const Explanation& e = *g.front();
        std::string names;
        for (const Explanation* x : g) names += (names.empty() ? "" : ", ") + cap_display_name(x->cap);
        if (g.size() > 1) names += fmt::format(" ({} capabilities)", g.size());
        std::string held = e.held.empty() ? "not held" : "";
        for (const std::string& s : e.held) held += (held.empty() ? "" : ", ") + s;
        out += fmt::format("\n{}: {}\n", style.paint("1", names), held);
        for (const Step& s : e.steps) {
            std::string ev;
            switch (s.evidence) {
            case Evidence::observed: ev = "observed      "; break;
            case Evidence::inferred: ev = style.paint("36", "inferred") + "      "; break;
            case Evidence::not_observable: ev = style.paint("33", "not observable"); break;
            }
            out += fmt::format("  {} {:<6} {}\n", ev, s.role, safe_text(s.detail));
        }
    }
    cli::write_out(out);
}

void print_json(const ExplainContext& ctx, const std::vector<Explanation>& list) {
    namespace pc = cli::process_column;
    cli::ProcessCells cells(ctx.last_cap);
    const Process& p = *ctx.process;
    cli::Json doc = cli::json_document();
    doc["process"] = cells.object(p, p.status,
                                  {pc::pid, pc::ppid, pc::uid, pc::real_uid, pc::user, pc::command, pc::exe, pc::unit,
                                   pc::effective, pc::permitted, pc::inheritable, pc::bounding, pc::ambient,
                                   pc::no_new_privs, pc::scope});
    cli::Json out = cli::Json::array();
    for (const Explanation& e : list) {
        cli::Json x = cli::Json::object();
        x["capability"] = cap_name(e.cap);
        x["held"] = e.held;
        cli::Json steps = cli::Json::array();
        for (const Step& s : e.steps)
            steps.push_back({{"role", s.role}, {"evidence", evidence_name(s.evidence)}, {"detail", cli::json_name(s.detail)}});
        x["steps"] = std::move(steps);
        out.push_back(std::move(x));
    }
    doc["explanations"] = std::move(out);
    cli::print_json(doc);
}

}  // namespace

int run_explain(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    auto root = ProcRoot::open();
    if (!root) {
        cli::warnf("cannot open {}: {}", default_proc_path, root.error().message());
        return exit_error;
    }
    Cap last_cap = live_cap_last_cap();
    std::vector<Cap> asked;
    for (const std::string& name : opt.caps) {
        auto c = parse_cap(name);
        if (!c || *c > last_cap)
            return cli::usage_error(fmt::format("unknown capability '{}'", escape_name(name)), exit_error);
        asked.push_back(*c);
    }

    ProcessQuery q;
    q.pids = {opt.pid};
    q.threads = true;
    q.include_self = true;
    q.facts = fact_user_ns | fact_exe_file | fact_cgroup;
    ReadFailures failures;
    auto found = list_processes(*root, q, failures);
    if (!found) {
        cli::warn(found.error().message());
        return exit_error;
    }
    if (found->empty()) {
        if (!failures.unreadable.empty())
            cli::warnf("cannot read process {}: {}", opt.pid, std::strerror(failures.unreadable.begin()->first));
        else if (failures.malformed)
            cli::warnf("cannot read process {}: {}", opt.pid, failures.first_malformed);
        else
            cli::warnf("no process {} (a kernel thread, a thread that is not its process's leader, or gone)",
                       opt.pid);
        return exit_error;
    }
    const Process& p = found->front();

    ExplainContext ctx;
    ctx.process = &p;
    ctx.last_cap = last_cap;
    // The ancestors, following PPid, each read once.
    std::set<pid_t> seen{p.pid};
    for (pid_t parent = p.status.ppid; parent > 0 && ctx.ancestors.size() < 256 && seen.insert(parent).second;) {
        ProcessQuery aq;
        aq.pids = {parent};
        aq.include_self = true;
        ReadFailures ignored;
        auto a = list_processes(*root, aq, ignored);
        if (!a || a->empty()) break;
        ctx.ancestors.push_back(a->front().status);
        parent = a->front().status.ppid;
    }
    read_unit(p, ctx);
    ctx.pam = pam_context(p.status.uid.real, last_cap);

    CapSet which;
    if (asked.empty())
        which = held_capabilities(p);
    else
        for (Cap c : asked) which.add(c);
    std::vector<Explanation> list;
    for (Cap c : which) list.push_back(explain_capability(ctx, c));

    if (opt.json)
        print_json(ctx, list);
    else
        print_text(ctx, list, opt.no_color);
    cli::report_unread_facts(failures);
    return exit_clean;
}

}  // namespace capinspect::auditor
