// captest: what can this process do, and could a child get root back?
// Default output: libcap-ng 0.9.5's captest report, byte for byte, except for the
// documented differences (the child is this same program, the parent's block always comes
// first, the numeric ambient label is always "Ambient:"). --verbose adds lines, --json
// prints the whole report, parent and child, as one document.
//
// The child is this program run again with --no-child. With --verbose, --json or
// --fail-if-escalation it runs with --json too: its report comes back as data, so that the
// parent prints it in the chosen form, checks it against the prediction of what execve
// gives (exec_caps) and decides --fail-if-escalation. Otherwise the parent passes on the
// child's own text block.
#include <cap-ng.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/exec_caps.h>
#include <capinspect/file_caps.h>
#include <capinspect/own_process.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>
#include <capinspect/securebits.h>
#include <capinspect/user_ns.h>

#include "common/cli.h"
#include "common/json.h"

namespace capinspect {
namespace {

using json = nlohmann::ordered_json;

constexpr int exit_escalation = 2;

// The account --id and --init-grp change to, as libcap-ng's captest does.
constexpr int id_uid = 99;
constexpr int id_gid = 99;

constexpr const char* shadow_path = "/etc/shadow";
constexpr const char* shell_path = "/bin/sh";
constexpr const char* shadow_command = "cat /etc/shadow > /dev/null 2>&1";

// The five lines of the numeric block; the ambient label is 0.9.5's.
constexpr const char* numeric_labels[] = {"Effective:    ", "Permitted:    ", "Inheritable:  ",
                                          "Bounding Set: ", "Ambient:      "};
constexpr const char* text_labels[] = {"Effective: ", "Permitted: ", "Inheritable: ",
                                       "Bounding Set: ", "Ambient: "};

enum class Drop { none, all, caps, id, init_grp };

struct Options {
    bool text = false;
    bool no_child = false;
    bool lock = false;
    bool ambient = false;
    Drop drop = Drop::none;  // of --drop-all, --drop-caps, --id, --init-grp the last wins
    bool verbose = false;
    bool json = false;
    bool fail_if_escalation = false;
};

// One process as a report shows it.
struct State {
    pid_t pid = 0;
    IdSet uid, gid;
    std::vector<std::uint32_t> groups;
    CapSet effective, permitted, inheritable, bounding;
    std::optional<CapSet> ambient;
    Securebits securebits;
    std::optional<bool> no_new_privs;
    std::optional<SeccompMode> seccomp;
    std::optional<unsigned> seccomp_filters;
    std::optional<IdMap> uid_map, gid_map;

    bool mismatching() const { return uid.real != uid.effective || gid.real != gid.effective; }
    ExecTask exec_task() const {
        ExecTask t;
        t.uid = uid;
        t.gid = gid;
        t.groups = groups;
        t.effective = effective;
        t.permitted = permitted;
        t.inheritable = inheritable;
        t.bounding = bounding;
        t.ambient = ambient.value_or(CapSet());
        t.securebits = securebits;
        t.no_new_privs = no_new_privs.value_or(false);
        return t;
    }
};

struct ShadowAccess {
    bool success = false;
    std::string error;  // strerror() of access(2)'s errno when it failed
};

struct Prediction {
    std::optional<ExecOutcome> outcome;
    std::string unknown_reason;  // why there is no outcome: raw bytes, it may name a file
};

struct ParentReport {
    State state;
    ShadowAccess direct;
    bool child_shadow = false;
    Prediction prediction;
};

struct ChildReport {
    bool attempted = false;  // "Attempting to regain root..."
    bool regained = false;
    ExecTask after_execve;   // the state when it started, before any change
    State state;             // the state reported, after the attempt
    std::optional<ShadowAccess> direct;  // only after regaining root
};

struct Escalation {
    bool regained_root = false;
    CapSet new_capabilities;
    bool detected() const { return regained_root || !new_capabilities.empty(); }
};

// ---------------------------------------------------------------------------------------
// Options

int print_help() {
    cli::outf(
        "Usage:\n"
        " captest [options]\n"
        "\n"
        "Report this process's credentials and capabilities, try to read /etc/shadow\n"
        "directly and from a child process, and report what a child gets after execve,\n"
        "including whether it can get root back.\n"
        "\n"
        "Options:\n"
        "     --text                capability names instead of hexadecimal words\n"
        "     --drop-all            first drop every capability, bounding and ambient included\n"
        "     --drop-caps           first drop the effective, permitted and inheritable sets\n"
        "     --id                  first change to uid and gid 99, keeping only CAP_CHOWN\n"
        "     --init-grp            like --id, with the supplementary groups of uid 99's account\n"
        "     --ambient             with --id or --init-grp, keep CAP_CHOWN as an ambient\n"
        "                             capability too; with --drop-caps, ask for it\n"
        "     --lock                first set the NOROOT and NO_SETUID_FIXUP securebits, locked,\n"
        "                             and no_new_privs (not with --id or --init-grp)\n"
        "     --no-child            report as the child does: try to regain root, run no child\n"
        " -v, --verbose             also report no_new_privs, seccomp, every securebit, the user\n"
        "                             namespace and the predicted child\n"
        " -J, --json                print the whole report, parent and child, as JSON\n"
        "     --fail-if-escalation  exit with 2 when the child regained root or capabilities\n"
        "                             this process does not have\n"
        " -h, --help                display this help\n"
        " -V, --version             display version\n"
        "\n"
        "For more details see captest(8).\n");
    return cli::exit_ok;
}

std::optional<int> parse_options(int argc, char** argv, Options& opt) {
    enum {
        opt_text = 256, opt_no_child, opt_lock, opt_drop_all, opt_drop_caps, opt_id, opt_init_grp,
        opt_ambient, opt_fail_if_escalation,
    };
    static const struct option long_options[] = {
        {"text", no_argument, nullptr, opt_text},
        {"no-child", no_argument, nullptr, opt_no_child},
        {"lock", no_argument, nullptr, opt_lock},
        {"drop-all", no_argument, nullptr, opt_drop_all},
        {"drop-caps", no_argument, nullptr, opt_drop_caps},
        {"id", no_argument, nullptr, opt_id},
        {"init-grp", no_argument, nullptr, opt_init_grp},
        {"ambient", no_argument, nullptr, opt_ambient},
        {"verbose", no_argument, nullptr, 'v'},
        {"json", no_argument, nullptr, 'J'},
        {"fail-if-escalation", no_argument, nullptr, opt_fail_if_escalation},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {nullptr, 0, nullptr, 0},
    };
    opterr = 0;  // our own message: the program name escaped, then the Try line
    int c;
    while ((c = getopt_long(argc, argv, ":vJhV", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_text: opt.text = true; break;
        case opt_no_child: opt.no_child = true; break;
        case opt_lock: opt.lock = true; break;
        case opt_drop_all: opt.drop = Drop::all; break;
        case opt_drop_caps: opt.drop = Drop::caps; break;
        case opt_id: opt.drop = Drop::id; break;
        case opt_init_grp: opt.drop = Drop::init_grp; break;
        case opt_ambient: opt.ambient = true; break;
        case 'v': opt.verbose = true; break;
        case 'J': opt.json = true; break;
        case opt_fail_if_escalation: opt.fail_if_escalation = true; break;
        case 'h': return print_help();
        case 'V': return cli::print_version();
        default: return cli::option_error(c, argv, long_options);
        }
    }
    if (optind < argc) return cli::usage_error(fmt::format("unexpected argument '{}'", escape_name(argv[optind])));
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Reading the state

// The program the child runs: this same one, through /proc/self/exe, which names the
// running file even if its path was replaced since. Without /proc (a chroot), the path
// this program was started with (AT_EXECFN; captest never changes its directory).
std::string self_exe_path() {
    std::string exe = std::string(default_proc_path) + "/self/exe";
    struct stat st {};
    if (stat(exe.c_str(), &st) == 0) return exe;
    auto execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
    return execfn ? execfn : exe;
}

Result<State> read_state(const ProcRoot* root, Cap last_cap) {
    // The status file gives the bounding and ambient sets in one read (system calls
    // answer the rest, and all of it without /proc) and the number of seccomp filters.
    std::optional<ProcStatus> status;
    if (root)
        if (auto text = root->read_file("thread-self/status"))
            if (auto st = parse_status(*text)) status = std::move(*st);
    auto own = status ? read_own_process(last_cap, *status) : read_own_process(last_cap);
    if (!own) return fail(own.error());
    State s;
    s.pid = own->pid;
    s.uid = own->uid;
    s.gid = own->gid;
    s.groups = own->groups;
    s.effective = own->effective;
    s.permitted = own->permitted;
    s.inheritable = own->inheritable;
    s.bounding = own->bounding;
    s.ambient = own->ambient;
    s.securebits = own->securebits;
    s.no_new_privs = own->no_new_privs;
    s.seccomp = own->seccomp;
    // What only /proc tells: the number of seccomp filters.
    if (status) s.seccomp_filters = status->seccomp_filters;
    return s;
}

// The user namespace maps, for the state a report shows (they cannot change while the
// process runs: it never changes namespace). Only --verbose and --json show them.
void read_namespace_maps(const ProcRoot* root, const Options& opt, State& s) {
    if (!root || !(opt.verbose || opt.json)) return;
    if (auto text = root->read_file("self/uid_map"))
        if (auto map = parse_id_map(*text)) s.uid_map = std::move(*map);
    if (auto text = root->read_file("self/gid_map"))
        if (auto map = parse_id_map(*text)) s.gid_map = std::move(*map);
}

Prediction predict_child(const State& parent) {
    Prediction p;
    // The program file the child runs: this one.
    auto file = read_executable(self_exe_path());
    if (!file) {
        p.unknown_reason = file.error().message();
        return p;
    }
    p.outcome = predict_execve(parent.exec_task(), exec_file_of(*file));
    return p;
}

// ---------------------------------------------------------------------------------------
// Child processes

struct Finished {
    int status = 0;      // waitpid status
    int exec_error = 0;  // errno of a failed execv, 0 when the program ran
    std::string output;  // its standard output, when captured
};

// Runs `path` with `args`, its standard output captured when `capture`, and waits for
// it. stdout is flushed first, so that nothing buffered is written twice or late.
// posix_spawn (a vfork underneath) rather than fork: it copies no page tables, the
// larger part of what starting the child costs, and it reports a failed exec itself.
Result<Finished> run_program(const std::string& path, const std::vector<std::string>& args, bool capture) {
    int out_pipe[2] = {-1, -1};
    if (capture && pipe2(out_pipe, O_CLOEXEC) != 0) return fail(errno, "pipe");
    Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    if (int e = posix_spawn_file_actions_init(&actions)) return fail(e, "posix_spawn");
    // dup2 leaves the new stdout open across exec (glibc clears close-on-exec even when
    // the pipe is already descriptor 1).
    int e = capture ? posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO) : 0;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = -1;
    if (e == 0) e = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    out_write = Fd();
    Finished done;
    if (e != 0) {
        done.exec_error = e;
        return done;
    }
    if (capture) {
        char buf[4096];
        for (;;) {
            ssize_t n = read(out_read.get(), buf, sizeof buf);
            if (n > 0) done.output.append(buf, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR) break;
        }
    }
    while (waitpid(pid, &done.status, 0) < 0) {
        if (errno != EINTR) return fail(errno, "waitpid");
    }
    return done;
}

ShadowAccess try_direct_shadow() {
    ShadowAccess a;
    // access(2) checks with the real ids, as libcap-ng's captest does: a set-user-ID
    // root copy run by a user fails here.
    a.success = access(shadow_path, R_OK) == 0;
    if (!a.success) a.error = std::strerror(errno);
    return a;
}

// Through the shell, as upstream does: a shell that drops a set-user-ID identity (dash,
// bash) makes this fail for a set-user-ID copy.
bool try_child_shadow() {
    auto done = run_program(shell_path, {"sh", "-c", shadow_command}, false);
    return done && done->exec_error == 0 && WIFEXITED(done->status) && WEXITSTATUS(done->status) == 0;
}

// ---------------------------------------------------------------------------------------
// JSON, both ways (the parent reads the child's document)

json set_json(CapSet set) {
    json list = json::array();
    for (Cap c : set) list.push_back(cap_name(c));
    return list;
}

CapSet set_from_json(const json& list) {
    CapSet set;
    for (const json& name : list) {
        auto cap = parse_cap(name.get<std::string>());
        if (!cap) throw std::runtime_error(cap.error().message());
        set.add(*cap);
    }
    return set;
}

json credentials_json(const IdSet& uid, const IdSet& gid, const std::vector<std::uint32_t>& groups) {
    json j;
    // capinspect-json(5): uid and gid are the effective ids, as in every document.
    j["real_uid"] = uid.real;
    j["uid"] = uid.effective;
    j["saved_uid"] = uid.saved;
    j["fs_uid"] = uid.fs;
    j["real_gid"] = gid.real;
    j["gid"] = gid.effective;
    j["saved_gid"] = gid.saved;
    j["fs_gid"] = gid.fs;
    j["groups"] = groups;
    return j;
}

void credentials_from_json(const json& j, IdSet& uid, IdSet& gid, std::vector<std::uint32_t>& groups) {
    uid = {j.at("real_uid").get<std::uint32_t>(), j.at("uid").get<std::uint32_t>(),
           j.at("saved_uid").get<std::uint32_t>(), j.at("fs_uid").get<std::uint32_t>()};
    gid = {j.at("real_gid").get<std::uint32_t>(), j.at("gid").get<std::uint32_t>(),
           j.at("saved_gid").get<std::uint32_t>(), j.at("fs_gid").get<std::uint32_t>()};
    groups = j.at("groups").get<std::vector<std::uint32_t>>();
}

json capabilities_json(CapSet e, CapSet p, CapSet i, CapSet b, const std::optional<CapSet>& a) {
    json j;
    j["effective"] = set_json(e);
    j["permitted"] = set_json(p);
    j["inheritable"] = set_json(i);
    j["bounding"] = set_json(b);
    j["ambient"] = a ? set_json(*a) : json(nullptr);
    return j;
}

json securebits_json(Securebits bits) {
    json j;
    j["value"] = bits.mask();
    json flags = json::array();
    for (unsigned i = 0; i < 32; ++i)
        if (bits.mask() >> i & 1) flags.push_back(format_securebits(Securebits(1u << i)));
    j["flags"] = std::move(flags);
    return j;
}

json id_map_json(const std::optional<IdMap>& map) {
    if (!map) return nullptr;
    json list = json::array();
    for (const IdMapRange& r : *map) {
        json range;
        range["inside"] = r.inside;
        range["outside"] = r.outside;
        range["count"] = r.count;
        list.push_back(std::move(range));
    }
    return list;
}

std::optional<IdMap> id_map_from_json(const json& j) {
    if (j.is_null()) return std::nullopt;
    IdMap map;
    for (const json& r : j)
        map.push_back({r.at("inside").get<std::uint32_t>(), r.at("outside").get<std::uint32_t>(),
                       r.at("count").get<std::uint32_t>()});
    return map;
}

json exec_task_json(const ExecTask& t) {
    json j;
    j["credentials"] = credentials_json(t.uid, t.gid, t.groups);
    j["capabilities"] = capabilities_json(t.effective, t.permitted, t.inheritable, t.bounding, t.ambient);
    j["securebits"] = securebits_json(t.securebits);
    j["no_new_privs"] = t.no_new_privs;
    return j;
}

ExecTask exec_task_from_json(const json& j) {
    ExecTask t;
    credentials_from_json(j.at("credentials"), t.uid, t.gid, t.groups);
    const json& caps = j.at("capabilities");
    t.effective = set_from_json(caps.at("effective"));
    t.permitted = set_from_json(caps.at("permitted"));
    t.inheritable = set_from_json(caps.at("inheritable"));
    t.bounding = set_from_json(caps.at("bounding"));
    if (!caps.at("ambient").is_null()) t.ambient = set_from_json(caps.at("ambient"));
    t.securebits = Securebits(j.at("securebits").at("value").get<std::uint32_t>());
    t.no_new_privs = j.at("no_new_privs").get<bool>();
    return t;
}

json shadow_json(const ShadowAccess& a) {
    json j;
    j["success"] = a.success;
    j["error"] = a.success ? json(nullptr) : json(a.error);
    return j;
}

// The fields every process report has.
void state_json(json& j, const State& s) {
    j["pid"] = s.pid;
    j["credentials"] = credentials_json(s.uid, s.gid, s.groups);
    j["mismatching_credentials"] = s.mismatching();
    j["capabilities"] = capabilities_json(s.effective, s.permitted, s.inheritable, s.bounding, s.ambient);
    j["securebits"] = securebits_json(s.securebits);
    j["no_new_privs"] = s.no_new_privs ? json(*s.no_new_privs) : json(nullptr);
    j["seccomp"] = s.seccomp ? json(seccomp_mode_name(*s.seccomp)) : json(nullptr);
    j["seccomp_filters"] = s.seccomp_filters ? json(*s.seccomp_filters) : json(nullptr);
    if (s.uid_map) {
        json ns;
        ns["initial"] = is_initial_id_map(*s.uid_map);
        ns["uid_map"] = id_map_json(s.uid_map);
        ns["gid_map"] = id_map_json(s.gid_map);
        j["user_namespace"] = std::move(ns);
    } else {
        j["user_namespace"] = nullptr;
    }
}

State state_from_json(const json& j) {
    State s;
    s.pid = j.at("pid").get<pid_t>();
    credentials_from_json(j.at("credentials"), s.uid, s.gid, s.groups);
    const json& caps = j.at("capabilities");
    s.effective = set_from_json(caps.at("effective"));
    s.permitted = set_from_json(caps.at("permitted"));
    s.inheritable = set_from_json(caps.at("inheritable"));
    s.bounding = set_from_json(caps.at("bounding"));
    if (!caps.at("ambient").is_null()) s.ambient = set_from_json(caps.at("ambient"));
    s.securebits = Securebits(j.at("securebits").at("value").get<std::uint32_t>());
    if (!j.at("no_new_privs").is_null()) s.no_new_privs = j["no_new_privs"].get<bool>();
    if (!j.at("seccomp").is_null()) s.seccomp = find_seccomp_mode(j["seccomp"].get<std::string>());
    if (!j.at("seccomp_filters").is_null()) s.seccomp_filters = j["seccomp_filters"].get<unsigned>();
    if (!j.at("user_namespace").is_null()) {
        s.uid_map = id_map_from_json(j["user_namespace"].at("uid_map"));
        s.gid_map = id_map_from_json(j["user_namespace"].at("gid_map"));
    }
    return s;
}

json prediction_json(const Prediction& p) {
    if (!p.outcome) return nullptr;
    json j;
    j["execve_fails"] = p.outcome->refused;
    j["privileged_file"] = p.outcome->privileged_file;
    json task = exec_task_json(p.outcome->task);
    for (auto& [key, value] : task.items()) j[key] = value;
    return j;
}

json parent_json(const ParentReport& r) {
    json j;
    state_json(j, r.state);
    json shadow;
    shadow["direct"] = shadow_json(r.direct);
    shadow["child_process"] = r.child_shadow;
    j["shadow"] = std::move(shadow);
    j["predicted_child"] = prediction_json(r.prediction);
    j["prediction_unknown"] =
        r.prediction.outcome ? json(nullptr) : json(escape_name_reversible(r.prediction.unknown_reason));
    return j;
}

// `prediction`: the parent's, when there is one, to compare with.
json child_json(const ChildReport& r, const Prediction* prediction) {
    json j;
    state_json(j, r.state);
    json attempt;
    attempt["attempted"] = r.attempted;
    attempt["success"] = r.regained;
    j["regain_root"] = std::move(attempt);
    j["after_execve"] = exec_task_json(r.after_execve);
    if (prediction && prediction->outcome) {
        auto diff = exec_task_differences(prediction->outcome->task, r.after_execve);
        j["as_predicted"] = diff.empty();
        j["differences"] = diff;
    } else {
        j["as_predicted"] = nullptr;
        j["differences"] = nullptr;
    }
    json shadow;
    shadow["direct"] = r.direct ? shadow_json(*r.direct) : json(nullptr);
    j["shadow"] = std::move(shadow);
    return j;
}

ChildReport child_from_json(const json& j) {
    ChildReport r;
    r.attempted = j.at("regain_root").at("attempted").get<bool>();
    r.regained = j.at("regain_root").at("success").get<bool>();
    r.after_execve = exec_task_from_json(j.at("after_execve"));
    r.state = state_from_json(j);
    const json& direct = j.at("shadow").at("direct");
    if (!direct.is_null()) {
        ShadowAccess a;
        a.success = direct.at("success").get<bool>();
        if (!a.success) a.error = direct.at("error").get<std::string>();
        r.direct = a;
    }
    return r;
}

// ---------------------------------------------------------------------------------------
// Text

std::string hex_words(CapSet set, Cap last_cap) {
    // Bits past the running kernel's last capability are masked, as libcap-ng does.
    std::uint64_t m = (set & CapSet::all_up_to(last_cap)).mask();
    return fmt::format("{:08X}, {:08X}", static_cast<std::uint32_t>(m >> 32), static_cast<std::uint32_t>(m));
}

std::string names_or_none(CapSet set) {
    std::string text = format_cap_list(set);
    return text.empty() ? "none" : text;
}

struct FiveSets {
    CapSet sets[5];
};

FiveSets five_sets(CapSet e, CapSet p, CapSet i, CapSet b, const std::optional<CapSet>& a) {
    return FiveSets{{e, p, i, b, a.value_or(CapSet())}};
}

// The five numeric lines (unprefixed, as libcap-ng prints them in both blocks) or, with
// --text, the five name lines with `prefix` ("", "Child ").
void append_sets(std::string& out, const FiveSets& s, bool text, const std::string& prefix, Cap last_cap) {
    for (size_t k = 0; k < 5; ++k) {
        if (text)
            out += prefix + text_labels[k] + names_or_none(s.sets[k]) + "\n";
        else
            out += std::string(numeric_labels[k]) + hex_words(s.sets[k], last_cap) + "\n";
    }
}

void append_credentials(std::string& out, const std::string& prefix, const IdSet& uid, const IdSet& gid) {
    out += fmt::format("{}User  credentials uid:{} euid:{} suid:{}\n", prefix, uid.real, uid.effective, uid.saved);
    out += fmt::format("{}Group credentials gid:{} egid:{} sgid:{}\n", prefix, gid.real, gid.effective, gid.saved);
    if (uid.real != uid.effective || gid.real != gid.effective)
        out += "Note: app has mismatching credentials!!\n";
}

std::string securebits_line(const std::string& prefix, Securebits bits) {
    std::string names = format_securebits(bits, Securebits::lock_mask);
    return prefix + "securebits flags: " + (names.empty() ? "none" : names) + "\n";
}

std::string shadow_line(const ShadowAccess& a) {
    if (a.success) return "Attempting direct access to shadow...SUCCESS\n";
    return "Attempting direct access to shadow...FAILED (" + a.error + ")\n";
}

// The --verbose lines of one process; `child` lowers the first letter after "Child ".
void append_verbose(std::string& out, const State& s, bool child) {
    auto label = [&](std::string text) {
        if (!child) return text;
        if (text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
        return "Child " + text;
    };
    std::string all = format_securebits(s.securebits);
    out += label("All securebits: ") + (all.empty() ? "none" : all) + "\n";
    out += label("No new privileges: ") +
           (s.no_new_privs ? (*s.no_new_privs ? "yes" : "no") : "unknown") + "\n";
    std::string seccomp = s.seccomp ? seccomp_mode_name(*s.seccomp) : "unknown";
    if (s.seccomp == SeccompMode::filter && s.seccomp_filters)
        seccomp += fmt::format(", {} filter{}", *s.seccomp_filters, *s.seccomp_filters == 1 ? "" : "s");
    out += label("Seccomp: ") + seccomp + "\n";
    std::string ns = "unknown";
    if (s.uid_map) {
        if (is_initial_id_map(*s.uid_map))
            ns = "initial";
        else
            ns = "child, uid map: " + format_id_map(*s.uid_map) +
                 (s.gid_map ? ", gid map: " + format_id_map(*s.gid_map) : std::string());
    }
    out += label("User namespace: ") + ns + "\n";
}

void append_prediction(std::string& out, const Prediction& p, bool text, Cap last_cap) {
    if (!p.outcome) {
        out += "Predicted child: unknown (" + escape_name(p.unknown_reason) + ")\n";
        return;
    }
    const ExecTask& t = p.outcome->task;
    out += fmt::format("Predicted child credentials uid:{} euid:{} suid:{} gid:{} egid:{} sgid:{}\n",
                       t.uid.real, t.uid.effective, t.uid.saved, t.gid.real, t.gid.effective, t.gid.saved);
    if (!text) out += "Predicted child capabilities:\n";
    append_sets(out, five_sets(t.effective, t.permitted, t.inheritable, t.bounding, t.ambient), text,
                "Predicted child ", last_cap);
    if (p.outcome->refused)
        out += "Predicted child execve: fails (EPERM): the file's effective flag is set and not all "
               "of its permitted capabilities are available\n";
}

// The parent's block up to the shadow checks, which are printed as they are made.
std::string render_parent_head(const ParentReport& r, const Options& opt, Cap last_cap) {
    const State& s = r.state;
    std::string out;
    append_credentials(out, "", s.uid, s.gid);
    if (s.effective.empty())
        out += "Current capabilities: none\n";
    else
        append_sets(out, five_sets(s.effective, s.permitted, s.inheritable, s.bounding, s.ambient), opt.text, "",
                    last_cap);
    out += securebits_line("", s.securebits);
    if (opt.verbose) {
        append_verbose(out, s, false);
        append_prediction(out, r.prediction, opt.text, last_cap);
    }
    return out;
}

std::string render_child(const ChildReport& r, const Options& opt, Cap last_cap, const Prediction* prediction) {
    const State& s = r.state;
    std::string out;
    if (r.attempted)
        out += std::string("Attempting to regain root...") +
               (r.regained ? "SUCCESS - PRIVILEGE ESCALATION POSSIBLE" : "FAILED") + "\n";
    append_credentials(out, "Child ", s.uid, s.gid);
    if (s.effective.empty()) {
        out += "Child capabilities: none\n";
    } else {
        if (!opt.text) out += "Child capabilities:\n";
        append_sets(out, five_sets(s.effective, s.permitted, s.inheritable, s.bounding, s.ambient), opt.text,
                    "Child ", last_cap);
    }
    out += securebits_line("Child ", s.securebits);
    if (opt.verbose) {
        append_verbose(out, s, true);
        if (prediction) {
            if (!prediction->outcome) {
                out += "Child after execve: not predicted\n";
            } else {
                auto diff = exec_task_differences(prediction->outcome->task, r.after_execve);
                if (diff.empty()) {
                    out += "Child after execve: as predicted\n";
                } else {
                    std::string fields;
                    for (const std::string& f : diff) fields += (fields.empty() ? "" : ", ") + f;
                    out += "Child after execve: not as predicted (" + fields + ")\n";
                }
            }
        }
    }
    if (r.direct) out += shadow_line(*r.direct);
    return out;
}

void write_stdout(const std::string& text) { fwrite(text.data(), 1, text.size(), stdout); }

// libcap-ng's line on stdout (on stderr with --json), then the reason.
int state_error(const Options& opt, const Error& e) {
    if (opt.json) {
        fflush(stdout);
        fmt::print(stderr, "Error getting capabilities\n");
    } else {
        write_stdout("Error getting capabilities\n");
    }
    cli::warn(e.message());
    return cli::exit_failure;
}

// ---------------------------------------------------------------------------------------
// Own-process transitions, through libcap-ng

// libcap-ng is loaded only when an option changes the process, as systemd loads its
// optional libraries: linked in, loading it cost every report about 5% of a
// --no-child run here.
struct CapNg {
    decltype(&::capng_clear) clear = nullptr;
    decltype(&::capng_update) update = nullptr;
    decltype(&::capng_apply) apply = nullptr;
    decltype(&::capng_lock) lock = nullptr;
    decltype(&::capng_change_id) change_id = nullptr;
    decltype(&::capng_have_capability) have_capability = nullptr;
};

constexpr const char* capng_soname = "libcap-ng.so.0";

Result<CapNg> load_capng() {
    // Never unloaded: the process exits after the report.
    void* lib = dlopen(capng_soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) return fail_data(std::string("cannot load ") + dlerror());
    CapNg ng;
    auto find = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
        return fn != nullptr;
    };
    if (!find(ng.clear, "capng_clear") || !find(ng.update, "capng_update") ||
        !find(ng.apply, "capng_apply") || !find(ng.lock, "capng_lock") ||
        !find(ng.change_id, "capng_change_id") || !find(ng.have_capability, "capng_have_capability"))
        return fail_data(std::string("cannot load ") + dlerror());
    return ng;
}

// libcap-ng 0.9.5's capng_lock(): no_new_privs and the four NOROOT/NO_SETUID_FIXUP flags
// added to the securebits already set. Debian's 0.8.3 library replaces the securebits
// instead (dropping KEEP_CAPS or NO_CAP_AMBIENT_RAISE, and failing if one of those is
// locked), so when other flags are set they are kept here by hand.
bool lock_process(const CapNg& ng) {
    auto bits = read_securebits();
    if (bits && (bits->mask() & ~Securebits::lock_mask) == 0) return ng.lock() == 0;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return bits && prctl(PR_SET_SECUREBITS, bits->mask() | Securebits::lock_mask, 0, 0, 0) == 0;
}

// The capabilities libcap-ng holds for the effective set (its own idea, not the kernel's).
std::string capng_effective_list(const CapNg& ng, Cap last_cap) {
    CapSet set;
    for (Cap c = 0; c <= last_cap; ++c)
        if (ng.have_capability(CAPNG_EFFECTIVE, c) > 0) set.add(c);
    return names_or_none(set);
}

// Whether the sets are what a drop asked for. Debian's 0.8.3 library reports success
// when it silently skipped a part (the bounding set without CAP_SETPCAP); 0.9.5 reports
// the failure, and so does this check.
bool dropped_as_asked(Drop drop, bool ambient, Cap last_cap) {
    auto now = read_own_process(last_cap);
    if (!now) return false;
    bool caps_gone = now->effective.empty() && now->permitted.empty() && now->inheritable.empty();
    if (drop == Drop::all) return caps_gone && now->bounding.empty() && now->ambient.value_or(CapSet()).empty();
    return caps_gone && (!ambient || now->ambient.value_or(CapSet()).has(CAP_CHOWN));
}

// What the options do before the report. Returns an exit status when they failed;
// `uid_changed` tells that --id or --init-grp worked.
std::optional<int> apply_options(const Options& opt, Cap last_cap, bool& uid_changed) {
    auto fail_with = [](const char* what) {
        fflush(stdout);
        fmt::print(stderr, "{}\n", what);
        return std::optional<int>(cli::exit_failure);
    };
    if (opt.drop == Drop::none && !opt.lock) return std::nullopt;
    auto loaded = load_capng();
    if (!loaded) {
        cli::warn(loaded.error().message());
        return cli::exit_failure;
    }
    const CapNg& ng = *loaded;
    switch (opt.drop) {
    case Drop::all:
        ng.clear(CAPNG_SELECT_ALL);
        if (opt.lock && !lock_process(ng)) return fail_with("capng_lock failed");
        if (ng.apply(CAPNG_SELECT_ALL) < 0 || !dropped_as_asked(opt.drop, false, last_cap))
            return fail_with("capng_apply failed");
        break;
    case Drop::caps: {
        ng.clear(CAPNG_SELECT_CAPS);
        int select = CAPNG_SELECT_CAPS;
        if (opt.ambient) {
            // Cannot work: an ambient capability must be permitted and inheritable.
            ng.update(CAPNG_ADD, CAPNG_AMBIENT, CAP_CHOWN);
            select |= CAPNG_SELECT_AMBIENT;
        }
        if (opt.lock && !lock_process(ng)) return fail_with("capng_lock failed");
        if (ng.apply(static_cast<capng_select_t>(select)) < 0 || !dropped_as_asked(opt.drop, opt.ambient, last_cap))
            return fail_with("capng_apply failed");
        break;
    }
    case Drop::id:
    case Drop::init_grp: {
        // --lock is ignored here, as upstream ignores it.
        ng.clear(CAPNG_SELECT_BOTH);
        ng.update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), CAP_CHOWN);
        if (opt.ambient) {
            ng.update(CAPNG_ADD, CAPNG_INHERITABLE, CAP_CHOWN);
            ng.update(CAPNG_ADD, CAPNG_AMBIENT, CAP_CHOWN);
        }
        int groups = opt.drop == Drop::id ? CAPNG_DROP_SUPP_GRP : CAPNG_INIT_SUPP_GRP;
        int rc = ng.change_id(id_uid, id_gid, static_cast<capng_flags_t>(groups | CAPNG_CLEAR_BOUNDING));
        if (rc < 0) {
            // libcap-ng's text, on stdout (on stderr with --json, which keeps stdout for
            // the document).
            std::string text = fmt::format("Error changing uid: {}\n{}\n", rc, capng_effective_list(ng, last_cap));
            if (opt.json) {
                fflush(stdout);
                fmt::print(stderr, "{}", text);
            } else {
                write_stdout(text);
            }
            return cli::exit_failure;
        }
        uid_changed = true;
        if (!opt.json) write_stdout("Keeping CAP_CHOWN to show capabilities across uid change.\n");
        break;
    }
    case Drop::none:
        if (opt.lock && !lock_process(ng)) return fail_with("capng_lock failed");
        break;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The two roles

json options_json(const Options& opt, bool uid_changed) {
    json j;
    j["text"] = opt.text;
    const char* drop = nullptr;
    switch (opt.drop) {
    case Drop::none: break;
    case Drop::all: drop = "all"; break;
    case Drop::caps: drop = "caps"; break;
    case Drop::id: drop = "id"; break;
    case Drop::init_grp: drop = "init-grp"; break;
    }
    j["drop"] = drop ? json(drop) : json(nullptr);
    j["keep_ambient"] = opt.ambient;  // --ambient ("ambient" is the capability set)
    j["lock"] = opt.lock;
    j["no_child"] = opt.no_child;
    if (uid_changed) {
        json change;
        change["uid"] = id_uid;
        change["gid"] = id_gid;
        change["supplementary_groups"] = opt.drop == Drop::id ? "dropped" : "initialized";
        j["uid_change"] = std::move(change);
    } else {
        j["uid_change"] = nullptr;
    }
    return j;
}

json escalation_json(const Escalation& e) {
    json j;
    j["regained_root"] = e.regained_root;
    j["new_capabilities"] = set_json(e.new_capabilities);
    j["detected"] = e.detected();
    return j;
}

// Through stdio without exceptions: a failed write is reported at exit (cli.h).
void print_json(const json& doc) { write_stdout(doc.dump(3) + "\n"); }

int finish(const Options& opt, const Escalation& e, int status) {
    if (status == cli::exit_ok && opt.fail_if_escalation && e.detected()) {
        std::string why = e.regained_root ? "the child regained root" : "";
        if (!e.new_capabilities.empty())
            why += std::string(why.empty() ? "" : " and ") + "the child got capabilities this process lacks: " +
                   format_cap_list(e.new_capabilities);
        cli::warnf("privilege escalation: {}", why);
        return exit_escalation;
    }
    return status;
}

// --no-child: try to regain root, then report as "Child". `start` is the state it started
// with; `changed` says whether the options changed it since.
int run_child(const Options& opt, const ProcRoot* root, Cap last_cap, const State& start, bool changed,
              bool uid_changed) {
    ChildReport r;
    r.after_execve = start.exec_task();
    auto before = changed ? read_state(root, last_cap) : Result<State>(start);
    if (!before) return state_error(opt, before.error());
    r.attempted = (before->uid.real != before->uid.effective && before->uid.real != 0) ||
                  before->effective.has(CAP_SETUID);
    if (r.attempted) {
        r.regained = setuid(0) == 0;
        // The uid decides; a refused gid change shows in the credentials lines.
        if (r.regained) [[maybe_unused]] int ignored = setgid(0);
    }
    // When every uid and gid already was 0, setuid(0) and setgid(0) changed nothing.
    bool all_root = before->uid == IdSet{} && before->gid == IdSet{};
    auto state = r.attempted && !all_root ? read_state(root, last_cap) : before;
    if (!state) return state_error(opt, state.error());
    r.state = *state;
    read_namespace_maps(root, opt, r.state);
    if (r.regained) r.direct = try_direct_shadow();

    Escalation e;
    e.regained_root = r.regained;
    if (opt.json) {
        json doc;
        doc["schema_version"] = cli::schema_version;
        doc["options"] = options_json(opt, uid_changed);
        doc["parent"] = nullptr;
        doc["child"] = child_json(r, nullptr);
        doc["escalation"] = escalation_json(e);
        print_json(doc);
    } else {
        write_stdout(render_child(r, opt, last_cap, nullptr));
    }
    return finish(opt, e, cli::exit_ok);
}

struct ChildRun {
    std::optional<ChildReport> report;
    json doc;  // its "child" object, with the comparison with the prediction
};

// Runs this program again as the child, with `args` after --no-child: true when it
// succeeded. `output` gets what it printed either way.
bool run_child_program(const char* argv0, std::vector<std::string> args, std::string& output) {
    std::string exe = self_exe_path();
    args.insert(args.begin(), {argv0, "--no-child"});
    auto done = run_program(exe, args, true);
    if (!done) {
        cli::warnf("cannot run the child: {}", done.error().message());
        return false;
    }
    output = std::move(done->output);
    if (done->exec_error) {
        cli::warnf("cannot run the child: {}: {}", exe, std::strerror(done->exec_error));
        return false;
    }
    if (WIFSIGNALED(done->status)) {
        cli::warnf("the child was killed by signal {}", WTERMSIG(done->status));
        return false;
    }
    if (!WIFEXITED(done->status) || (WEXITSTATUS(done->status) != 0)) {
        cli::warnf("the child failed with exit status {}", WEXITSTATUS(done->status));
        return false;
    }
    return true;
}

// Runs the child and reads its report.
ChildRun run_child_process(const char* argv0, const Prediction& prediction) {
    ChildRun run;
    std::string output;
    if (!run_child_program(argv0, {"--json"}, output)) return run;
    try {
        json doc = json::parse(output);
        const json& child = doc.at("child");
        run.report = child_from_json(child);
        // Written again with the comparison only the parent can make.
        run.doc = child_json(*run.report, &prediction);
    } catch (const std::exception& e) {
        cli::warnf("cannot read the child's report: {}", e.what());
        run.report.reset();
    }
    return run;
}

int run_parent(const Options& opt, const char* argv0, const ProcRoot* root, Cap last_cap, bool uid_changed) {
    ParentReport r;
    auto state = read_state(root, last_cap);
    if (!state) return state_error(opt, state.error());
    r.state = *state;
    read_namespace_maps(root, opt, r.state);
    r.prediction = predict_child(r.state);

    // The parent's text is printed in pieces, in order, and run_program() flushes it
    // before each child process starts: it always comes before the child's block.
    if (!opt.json) write_stdout(render_parent_head(r, opt, last_cap));
    r.direct = try_direct_shadow();
    if (!opt.json) write_stdout(shadow_line(r.direct));
    if (!opt.json) write_stdout("Attempting to access shadow by child process...");
    r.child_shadow = try_child_shadow();
    if (!opt.json) write_stdout(std::string(r.child_shadow ? "SUCCESS" : "FAILED") + "\n");

    // The plain report needs nothing from the child but its text block, which the child
    // prints itself (the same block, without the JSON round trip). Whatever it printed
    // is passed on, as upstream's child writes to the same output.
    if (!opt.json && !opt.verbose && !opt.fail_if_escalation) {
        std::string text;
        bool ok = run_child_program(argv0, opt.text ? std::vector<std::string>{"--text"}
                                                    : std::vector<std::string>{},
                                    text);
        write_stdout(text);
        return ok ? cli::exit_ok : cli::exit_failure;
    }
    ChildRun child = run_child_process(argv0, r.prediction);
    Escalation e;
    if (child.report) {
        e.regained_root = child.report->regained;
        e.new_capabilities = (child.report->state.effective | child.report->state.permitted) - r.state.permitted;
    }
    if (opt.json) {
        json doc;
        doc["schema_version"] = cli::schema_version;
        doc["options"] = options_json(opt, uid_changed);
        doc["parent"] = parent_json(r);
        doc["child"] = child.report ? child.doc : json(nullptr);
        doc["escalation"] = escalation_json(e);
        print_json(doc);
    } else if (child.report) {
        write_stdout(render_child(*child.report, opt, last_cap, &r.prediction));
    }
    return finish(opt, e, child.report ? cli::exit_ok : cli::exit_failure);
}

int run(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    // Without /proc (a chroot, a bare container) the report still works: the state comes
    // from system calls, only the verbose extras are missing.
    auto opened = ProcRoot::open();
    const ProcRoot* root = opened ? &*opened : nullptr;
    std::optional<Cap> last_cap_read;
    if (root)
        if (auto read = read_cap_last_cap(*root)) last_cap_read = *read;
    Cap last_cap = last_cap_read ? *last_cap_read : probe_cap_last_cap();  // ~41 prctl calls

    // The state a --no-child run started with, before any option changes it.
    State start;
    if (opt.no_child) {
        auto read = read_state(root, last_cap);
        if (!read) return state_error(opt, read.error());
        start = std::move(*read);
    }

    bool uid_changed = false;
    if (auto rc = apply_options(opt, last_cap, uid_changed)) return *rc;
    bool changed = opt.drop != Drop::none || opt.lock;
    if (opt.no_child) return run_child(opt, root, last_cap, start, changed, uid_changed);
    return run_parent(opt, argv[0], root, last_cap, uid_changed);
}

}  // namespace
}  // namespace capinspect

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    return capinspect::run(argc, argv);
}
