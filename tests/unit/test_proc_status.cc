#include <doctest/doctest.h>

#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>

#include <unistd.h>

#include <string>

using namespace capinspect;
using namespace std::string_literals;

namespace {

// A status file as Linux 6.x prints it (trimmed of lines the parser ignores).
const std::string modern =
    "Name:\tambsrv\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t23843\n"
    "Ngid:\t0\n"
    "Pid:\t23843\n"
    "PPid:\t1\n"
    "TracerPid:\t0\n"
    "Uid:\t1000\t1001\t1002\t1003\n"
    "Gid:\t100\t101\t102\t103\n"
    "FDSize:\t64\n"
    "Groups:\t\n"
    "NStgid:\t23843\t5\n"
    "NSpid:\t23843\t5\n"
    "Kthread:\t0\n"
    "VmPeak:\t    8480 kB\n"
    "CapInh:\t0000000000002400\n"
    "CapPrm:\t0000000000002400\n"
    "CapEff:\t0000000000002000\n"
    "CapBnd:\t000001ffffffffff\n"
    "CapAmb:\t0000000000000400\n"
    "NoNewPrivs:\t1\n"
    "Seccomp:\t2\n"
    "Seccomp_filters:\t3\n"
    "Speculation_Store_Bypass:\tthread vulnerable\n";

std::string replace_line(std::string text, const std::string& key, const std::string& line) {
    size_t at = text.find(key + ":");
    REQUIRE(at != std::string::npos);
    size_t eol = text.find('\n', at);
    return text.replace(at, eol + 1 - at, line);
}

}  // namespace

TEST_CASE("parse_status reads every field") {
    auto st = parse_status(modern);
    REQUIRE(st);
    CHECK(st->name == "ambsrv");
    CHECK(st->state == 'S');
    CHECK(st->pid == 23843);
    CHECK(st->tgid == 23843);
    CHECK(st->ppid == 1);
    CHECK(st->uid == IdSet{1000, 1001, 1002, 1003});
    CHECK(st->gid == IdSet{100, 101, 102, 103});
    CHECK(st->inheritable == CapSet(0x2400));
    CHECK(st->permitted == CapSet(0x2400));
    CHECK(st->effective == CapSet(0x2000));
    CHECK(st->bounding == CapSet(0x1ffffffffffull));
    REQUIRE(st->ambient);
    CHECK(*st->ambient == CapSet(0x400));
    CHECK(st->no_new_privs == true);
    CHECK(st->seccomp == SeccompMode::filter);
    CHECK(st->seccomp_filters == 3u);
    CHECK(st->nspid == std::vector<pid_t>{23843, 5});
    CHECK(st->kthread == false);
}

TEST_CASE("fields older kernels lack stay optional") {
    std::string old = modern;
    for (const char* key : {"CapAmb", "NoNewPrivs", "Seccomp_filters", "Seccomp", "NSpid", "Kthread", "Tgid"})
        old = replace_line(old, key, "");
    auto st = parse_status(old);
    REQUIRE(st);
    CHECK_FALSE(st->ambient);
    CHECK_FALSE(st->no_new_privs);
    CHECK_FALSE(st->seccomp);
    CHECK_FALSE(st->seccomp_filters);
    CHECK(st->nspid.empty());
    CHECK_FALSE(st->kthread);
    CHECK(st->tgid == st->pid);
}

TEST_CASE("parse_stat_flags: the ninth field, after a command with blanks and parentheses") {
    CHECK(parse_stat_flags("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0").value() == 2129984u);
    CHECK((parse_stat_flags("2 (kthreadd) S 0 0 0 0 -1 2129984 0").value() & stat_flag_kthread) != 0);
    CHECK(parse_stat_flags("77 (a) b (c) R 1 77 77 0 -1 4194560 10 0").value() == 4194560u);
    CHECK((parse_stat_flags("77 (a) b (c) R 1 77 77 0 -1 4194560 10 0").value() & stat_flag_kthread) == 0);
    CHECK_FALSE(parse_stat_flags(""));
    CHECK_FALSE(parse_stat_flags("1 (x) S 0 0 0"));
    CHECK_FALSE(parse_stat_flags("1 (x) S 0 0 0 0 -1 12x 0"));
    CHECK_FALSE(parse_stat_flags("no parenthesis at all"));
}

TEST_CASE("seccomp_mode_name") {
    CHECK(std::string(seccomp_mode_name(SeccompMode::disabled)) == "disabled");
    CHECK(std::string(seccomp_mode_name(SeccompMode::strict)) == "strict");
    CHECK(std::string(seccomp_mode_name(SeccompMode::filter)) == "filter");
    CHECK(find_seccomp_mode("strict") == SeccompMode::strict);
    CHECK(find_seccomp_mode("filter") == SeccompMode::filter);
    CHECK_FALSE(find_seccomp_mode("unknown"));
}

TEST_CASE("the kernel's escaping of Name is undone") {
    CHECK(unescape_status_name("plain") == "plain");
    CHECK(unescape_status_name("nl\\nx") == "nl\nx");
    CHECK(unescape_status_name("back\\\\slash") == "back\\slash");
    CHECK(unescape_status_name("\\e[31m") == "\x1b[31m");
    CHECK(unescape_status_name("trail\\") == "trail\\");
    CHECK(unescape_status_name("\\q") == "\\q");
    auto st = parse_status(replace_line(modern, "Name", "Name:\ta b\\n\x1b\t\n"));
    REQUIRE(st);
    CHECK(st->name == "a b\n\x1b\t");  // blanks and tabs inside the name are kept
}

TEST_CASE("malformed status files are errors that name the field") {
    struct Case { const char* what; std::string text; const char* message; };
    const Case cases[] = {
        {"missing CapEff", replace_line(modern, "CapEff", ""), "missing field CapEff"},
        {"missing Name", replace_line(modern, "Name", ""), "missing field Name"},
        {"missing Uid", replace_line(modern, "Uid", ""), "missing field Uid"},
        {"duplicated CapPrm", modern + "CapPrm:\t0000000000000000\n", "duplicated field CapPrm"},
        {"non-hex mask", replace_line(modern, "CapEff", "CapEff:\t00000000zz002000\n"), "malformed field CapEff"},
        {"over-long mask", replace_line(modern, "CapEff", "CapEff:\t10000000000002000\n"), "malformed field CapEff"},
        {"short mask", replace_line(modern, "CapBnd", "CapBnd:\tffff\n"), "malformed field CapBnd"},
        {"three uids", replace_line(modern, "Uid", "Uid:\t0\t0\t0\n"), "malformed field Uid"},
        {"five uids", replace_line(modern, "Uid", "Uid:\t0\t0\t0\t0\t0\n"), "malformed field Uid"},
        {"negative ppid", replace_line(modern, "PPid", "PPid:\t-1x\n"), "malformed field PPid"},
        {"NUL in mask", replace_line(modern, "CapInh", "CapInh:\t00000000000\0"s "2400\n"), "malformed field CapInh"},
        // pscap -r printed "nul" for it: libsmartcols takes C strings
        {"NUL in Name", replace_line(modern, "Name", "Name:\tnul\0name\n"s), "malformed field Name"},
        {"seccomp mode 3", replace_line(modern, "Seccomp", "Seccomp:\t3\n"), "malformed field Seccomp"},
        {"NoNewPrivs 2", replace_line(modern, "NoNewPrivs", "NoNewPrivs:\t2\n"), "malformed field NoNewPrivs"},
        {"empty", "", "missing field Name"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        auto st = parse_status(c.text);
        REQUIRE_FALSE(st);
        CHECK(st.error().code == EINVAL);
        CHECK(st.error().context == c.message);
    }
}

TEST_CASE("no trailing newline, a line of megabytes and unknown lines are fine") {
    std::string text = modern;
    text.pop_back();
    CHECK(parse_status(text));
    std::string huge = modern + "Junk:\t" + std::string(4 << 20, 'x') + "\n";
    CHECK(parse_status(huge));
    CHECK(parse_status("no colon here\n" + modern));
}

TEST_CASE("read_status on the live /proc: our own process") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    CHECK(root->is_live());
    auto dir = root->open_pid(getpid());
    REQUIRE(dir);
    auto st = read_status(*dir);
    REQUIRE(st);
    CHECK(st->pid == getpid());
    CHECK(st->ppid == getppid());
    CHECK(st->uid.effective == geteuid());
    auto caps = read_thread_caps(0);
    REQUIRE(caps);
    CHECK(caps->effective == st->effective);
    CHECK(caps->permitted == st->permitted);
}
