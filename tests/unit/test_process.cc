// process: the one walk over processes, on proc trees made here (and a little of the live
// system): selection, threads, facts, kernel threads, privilege scope, what could not be
// read, and trees that are not what a proc file system holds.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <capinspect/net_namespaces.h>
#include <capinspect/process.h>

using namespace capinspect;
namespace fs = std::filesystem;

namespace {

constexpr const char* full = "000001ffffffffff";
constexpr const char* none = "0000000000000000";

struct Status {
    std::string name = "proc";
    pid_t pid = 0, ppid = 1;
    unsigned uid = 0;
    std::string eff = none, prm = none, inh = none, bnd = full, amb = none;
    std::string kthread = "0";  // "" leaves the line out, as older kernels do
};

std::string status_text(const Status& s) {
    std::string t = "Name:\t" + s.name + "\nUmask:\t0022\nState:\tS (sleeping)\n";
    t += "Tgid:\t" + std::to_string(s.pid) + "\nNgid:\t0\nPid:\t" + std::to_string(s.pid) +
         "\nPPid:\t" + std::to_string(s.ppid) + "\nTracerPid:\t0\n";
    std::string u = std::to_string(s.uid);
    t += "Uid:\t" + u + "\t" + u + "\t" + u + "\t" + u + "\nGid:\t0\t0\t0\t0\n";
    if (!s.kthread.empty()) t += "Kthread:\t" + s.kthread + "\n";
    t += "CapInh:\t" + s.inh + "\nCapPrm:\t" + s.prm + "\nCapEff:\t" + s.eff + "\nCapBnd:\t" + s.bnd +
         "\nCapAmb:\t" + s.amb + "\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n";
    return t;
}

// A proc tree in a temporary directory, removed at the end.
class Tree {
public:
    Tree() {
        char tmpl[] = "/tmp/capinspect-proc.XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        root_ = tmpl;
        write("sys/kernel/cap_last_cap", "40\n");
    }
    ~Tree() { fs::remove_all(root_); }
    const std::string& path() const { return root_; }

    void write(const std::string& rel, const std::string& text) {
        fs::path p = fs::path(root_) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    void link(const std::string& rel, const std::string& target) {
        fs::path p = fs::path(root_) / rel;
        fs::create_directories(p.parent_path());
        fs::create_symlink(target, p);
    }
    // A process with its user and network namespaces.
    void process(const Status& s, const std::string& userns = "user:[4026531837]",
                 const std::string& netns = "net:[4026531840]") {
        std::string dir = std::to_string(s.pid);
        write(dir + "/status", status_text(s));
        link(dir + "/ns/user", userns);
        link(dir + "/ns/net", netns);
    }

private:
    std::string root_;
};

std::vector<pid_t> pids_of(const std::vector<Process>& procs) {
    std::vector<pid_t> out;
    for (const Process& p : procs) out.push_back(p.pid);
    return out;
}

// list_processes(); every walk also checks that for_each_process() visits the same
// processes, with their threads and facts, and gives the same account.
std::vector<Process> walk(const Tree& t, const ProcessQuery& q, ReadFailures& failures) {
    auto root = ProcRoot::open(t.path());
    REQUIRE(root);
    auto procs = list_processes(*root, q, failures);
    REQUIRE(procs);

    ReadFailures listed_failures, streamed_failures;
    auto listed = list_processes(*root, q, listed_failures);
    REQUIRE(listed);
    std::vector<pid_t> streamed;
    auto visited = for_each_process(*root, q, streamed_failures, [&](Process& p) {
        size_t i = streamed.size();
        streamed.push_back(p.pid);
        if (i >= listed->size()) return;
        const Process& l = (*listed)[i];
        CHECK(p.threads.size() == l.threads.size());
        CHECK(p.scope() == l.scope());
        CHECK(p.net_ns == l.net_ns);
        CHECK(p.unread == l.unread);
    });
    REQUIRE(visited);
    CHECK(*visited == streamed.size());
    CHECK(streamed == pids_of(*listed));
    CHECK(streamed_failures.read == listed_failures.read);
    CHECK(streamed_failures.unreadable == listed_failures.unreadable);
    CHECK(streamed_failures.malformed == listed_failures.malformed);
    CHECK(streamed_failures.facts_unread == listed_failures.facts_unread);
    return std::move(*procs);
}

}  // namespace

TEST_CASE("walk: holders, users, pids; kernel threads and non-leaders left out") {
    Tree t;
    t.process({"init", 1, 0, 0, full, full});
    t.process({"kthreadd", 2, 0, 0, full, full, none, full, none, "1"});
    // An older kernel: no Kthread line, the stat flags say it (PF_KTHREAD).
    t.process({"kworker/0:1", 3, 2, 0, full, full, none, full, none, ""});
    t.write("3/stat", "3 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0\n");
    t.process({"daemon", 10, 1, 0, "0000000000002000", "0000000000002000"});
    t.process({"user", 11, 1, 1000});
    t.process({"prmonly", 12, 1, 1000, none, "0000000000002000"});
    // A thread id given as a pid (a non-leader: its Tgid differs).
    Status thread{"worker", 13, 1, 0, full, full};
    t.write("13/status", status_text(thread));
    std::string text = status_text(thread);
    text.replace(text.find("Tgid:\t13"), 8, "Tgid:\t10");
    t.write("13/status", text);

    ReadFailures failures;
    ProcessQuery all;
    CHECK(pids_of(walk(t, all, failures)) == std::vector<pid_t>{1, 10, 11, 12});
    CHECK(failures.read == 4);
    CHECK(failures.unreadable.empty());

    ProcessQuery holders;
    holders.holding = Holding::effective;
    CHECK(pids_of(walk(t, holders, failures)) == std::vector<pid_t>{1, 10});
    holders.holding = Holding::any_set;
    CHECK(pids_of(walk(t, holders, failures)) == std::vector<pid_t>{1, 10, 12});

    ProcessQuery users;
    users.users = {1000};
    CHECK(pids_of(walk(t, users, failures)) == std::vector<pid_t>{11, 12});

    ProcessQuery pids;
    pids.pids = {12, 2, 13, 99, 10, 12};  // a kernel thread, a thread, a gone pid, a duplicate
    CHECK(pids_of(walk(t, pids, failures)) == std::vector<pid_t>{10, 12});

    ProcessQuery keep;
    keep.keep = [](const Process& p) { return p.status.name == "user"; };
    CHECK(pids_of(walk(t, keep, failures)) == std::vector<pid_t>{11});
}

TEST_CASE("walk: in a pid namespace pid 2 and its children are processes") {
    // A container's /proc: pid 2 is the first child of the container's init, and the
    // kernel says it is no kernel thread, in status or (older kernels) in stat.
    Tree t;
    t.process({"sh", 1, 0, 0, full, full});
    t.process({"listener", 2, 1, 0, full, full});
    t.process({"worker", 3, 2, 0, full, full, none, full, none, ""});
    t.write("3/stat", "3 (worker) S 2 3 1 0 -1 4194560 0 0 0 0\n");
    t.process({"kthread-less", 4, 2, 0, full, full, none, full, none, ""});  // no stat at all
    ReadFailures failures;
    CHECK(pids_of(walk(t, ProcessQuery(), failures)) == std::vector<pid_t>{1, 2, 3, 4});
}

TEST_CASE("walk: threads whose sets differ come with their process") {
    Tree t;
    t.process({"leader", 20, 1, 0, none, none});
    Status same{"same", 21, 1, 0, none, none};
    Status raw{"raw", 22, 1, 0, "0000000000002000", "0000000000002000"};
    t.write("20/task/20/status", status_text({"leader", 20, 1, 0, none, none}));
    for (Status* s : {&same, &raw}) {
        std::string text = status_text(*s);
        text.replace(text.find("Tgid:\t" + std::to_string(s->pid)), 8, "Tgid:\t20");
        t.write("20/task/" + std::to_string(s->pid) + "/status", text);
    }
    ReadFailures failures;
    ProcessQuery q;
    q.threads = true;
    q.holding = Holding::effective;  // the leader holds nothing, a thread does
    auto procs = walk(t, q, failures);
    REQUIRE(procs.size() == 1);
    const Process& p = procs[0];
    REQUIRE(p.threads.size() == 2);
    CHECK(p.threads[0].tid == 21);
    CHECK(same_capabilities(p.threads[0].status, p.status));
    CHECK(p.threads[1].tid == 22);
    CHECK_FALSE(same_capabilities(p.threads[1].status, p.status));
    CHECK(p.threads[1].status.effective == CapSet(0x2000));
    // The rule the query selected by, for a caller that decides itself.
    CHECK(has_capabilities(p, Holding::effective));
    CHECK(has_capabilities(p, Holding::any_set));
    Process leader_only = p;
    leader_only.threads.pop_back();
    CHECK_FALSE(has_capabilities(leader_only, Holding::effective));
    CHECK_FALSE(has_capabilities(leader_only, Holding::any_set));
    CHECK(has_capabilities(leader_only, Holding::any));

    q.threads = false;
    CHECK(walk(t, q, failures).empty());
}

TEST_CASE("walk: facts and privilege scope") {
    Tree t;
    t.process({"host", 1, 0, 0, full, full});
    t.write("1/cgroup", "0::/system.slice/ssh.service\n");
    t.link("1/exe", "/usr/sbin/sshd (deleted)");
    t.write("1/attr/current", "unconfined\n");
    t.process({"rootless", 30, 1, 0, full, full}, "user:[4026532999]", "net:[4026533000]");
    t.write("30/uid_map", "         0       1000          1\n         1     100000      65536\n");
    t.write("30/gid_map", "         0       1000          1\n");
    t.write("30/cgroup", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/pod.service\n");
    t.link("30/fd/0", "/dev/null");
    t.link("30/fd/3", "socket:[777]");
    t.link("30/fd/4", "socket:[778]");

    ReadFailures failures;
    ProcessQuery q;
    q.facts = fact_user_ns | fact_net_ns | fact_exe | fact_cgroup | fact_lsm | fact_sockets;
    auto procs = walk(t, q, failures);
    REQUIRE(procs.size() == 2);

    const Process& host = procs[0];
    REQUIRE(host.user_ns);
    CHECK(host.scope() == PrivilegeScope::host);
    CHECK(host.user_ns->uid_map.empty());  // read for other namespaces only
    CHECK(host.net_ns == 4026531840u);
    CHECK(host.exe == "/usr/sbin/sshd");
    CHECK(host.exe_deleted);
    CHECK(host.cgroup->unit == "ssh.service");
    CHECK(host.cgroup->system_unit());
    CHECK(host.lsm == "unconfined");
    CHECK(host.sockets.empty());

    const Process& pod = procs[1];
    REQUIRE(pod.user_ns);
    CHECK(pod.scope() == PrivilegeScope::namespace_);
    CHECK(pod.user_ns->inode == 4026532999u);
    CHECK(pod.user_ns->uid_map == IdMap{{0, 1000, 1}, {1, 100000, 65536}});
    CHECK(pod.user_ns->gid_map == IdMap{{0, 1000, 1}});
    CHECK_FALSE(pod.user_ns->owner_uid);  // only the live system can say
    CHECK(pod.net_ns == 4026533000u);
    CHECK(pod.cgroup->unit == "pod.service");
    CHECK(pod.cgroup->user_manager == 1000u);
    CHECK_FALSE(pod.lsm);  // no attr/current: ENOENT leaves the fact empty
    REQUIRE(pod.sockets.size() == 2);
    CHECK(pod.sockets[0].fd == 3);
    CHECK(pod.sockets[0].inode == 777u);
    CHECK(pod.unread.empty());
    CHECK(failures.facts_unread.empty());

    SocketOwners owners(procs);
    CHECK(owners.of(778).size() == 1);
    CHECK(*owners.of(778).begin() == 1u);
    CHECK(owners.of(1).empty());

    // Facts not asked for are not read.
    auto bare = walk(t, ProcessQuery(), failures);
    CHECK_FALSE(bare[1].user_ns);
    CHECK_FALSE(bare[1].cgroup);
    CHECK(bare[1].sockets.empty());
}

TEST_CASE("walk: mounts and network interfaces, read only when asked for") {
    Tree t;
    t.process({"svc", 1, 0});
    t.write("1/mountinfo", "20 1 0:39 / / ro - tmpfs tmpfs rw\n21 20 0:40 /private /tmp rw - tmpfs tmpfs rw\n");
    t.link("1/ns/mnt", "mnt:[4026532311]");
    t.write("1/net/dev", "Inter-|\n face |\n    lo: 0 0\n");
    t.process({"bad", 2, 1});
    t.write("2/mountinfo", "20 1 0:39 / / ro tmpfs tmpfs rw\n");  // no "-"
    t.write("2/net/dev", "Inter-|\n face |\n    lo 0 0\n");
    t.process({"gone", 3, 1});  // no mountinfo, no ns/mnt: ENOENT leaves them empty

    ReadFailures failures;
    ProcessQuery q;
    q.facts = fact_mounts | fact_net_devices;
    auto procs = walk(t, q, failures);
    REQUIRE(procs.size() == 3);
    REQUIRE(procs[0].mounts);
    CHECK(procs[0].mounts->size() == 2);
    CHECK(find_covering_mount(*procs[0].mounts, "/tmp/x")->root == "/private");
    CHECK(procs[0].mnt_ns == 4026532311u);
    CHECK(procs[0].net_devices == std::vector<std::string>{"lo"});

    CHECK_FALSE(procs[1].mounts);
    CHECK_FALSE(procs[1].net_devices);
    CHECK(procs[1].unread ==
          std::vector<std::pair<ProcessFact, int>>{{fact_mounts, EINVAL}, {fact_net_devices, EINVAL}});
    CHECK(failures.facts_unread.at({fact_mounts, EINVAL}) == 1);
    CHECK(failures.first_malformed_fact ==
          t.path() + "/2/mountinfo: malformed mountinfo line 1: no \"-\" separator");

    CHECK_FALSE(procs[2].mounts);
    CHECK_FALSE(procs[2].mnt_ns);
    CHECK(procs[2].unread.empty());

    auto bare = walk(t, ProcessQuery(), failures);
    CHECK_FALSE(bare[0].mounts);
    CHECK_FALSE(bare[0].mnt_ns);
    CHECK_FALSE(bare[0].net_devices);
}

TEST_CASE("walk: what cannot be read is counted; a tree that is no proc cannot stall the walk") {
    Tree t;
    t.process({"fine", 1, 0});
    // A status that is a symlink to a device that never ends, a FIFO, a directory, a
    // truncated one: none is read, each is counted.
    t.process({"x", 40, 1});
    fs::remove(fs::path(t.path()) / "40/status");
    t.link("40/status", "/dev/zero");
    t.process({"x", 41, 1});
    fs::remove(fs::path(t.path()) / "41/status");
    REQUIRE(mkfifo((t.path() + "/41/status").c_str(), 0600) == 0);
    t.process({"x", 42, 1});
    fs::remove(fs::path(t.path()) / "42/status");
    fs::create_directory(fs::path(t.path()) / "42/status");
    t.write("43/status", "Name:\tcut\n");
    // A process directory that is a symlink is not followed.
    t.link("44", "1");
    // The fds of a process that are not what fd/ holds: a file, not a directory.
    t.process({"nofds", 45, 1});
    t.write("45/fd", "");

    ReadFailures failures;
    ProcessQuery q;
    q.facts = fact_sockets;
    auto procs = walk(t, q, failures);
    CHECK(pids_of(procs) == std::vector<pid_t>{1, 45});
    CHECK(failures.read == 2);
    CHECK(failures.unreadable.at(ELOOP) == 1);    // the symlinked status
    CHECK(failures.unreadable.at(ENOTDIR) == 1);  // the symlinked pid directory
    CHECK(failures.unreadable.at(EISDIR) == 1);
    CHECK(failures.malformed == 2);              // the FIFO and the truncated status
    CHECK(failures.facts_unread.at({fact_sockets, ENOTDIR}) == 1);
    CHECK(procs[1].unread == std::vector<std::pair<ProcessFact, int>>{{fact_sockets, ENOTDIR}});
    CHECK_FALSE(failures.nothing_read());

    ReadFailures none_read;
    ProcessQuery only_bad;
    only_bad.pids = {40, 42};
    CHECK(walk(t, only_bad, none_read).empty());
    CHECK(none_read.nothing_read());
}

TEST_CASE("walk: the live system") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    ReadFailures failures;
    ProcessQuery q;
    q.pids = {getpid(), 1};
    q.include_self = true;
    q.facts = fact_user_ns | fact_exe | fact_exe_file;
    auto procs = list_processes(*root, q, failures);
    REQUIRE(procs);
    auto self = std::find_if(procs->begin(), procs->end(), [](const Process& p) { return p.pid == getpid(); });
    REQUIRE(self != procs->end());
    CHECK(self->scope() == PrivilegeScope::host);
    REQUIRE(self->exe);
    REQUIRE(self->exe_file);
    struct stat st {};
    REQUIRE(stat(self->exe->c_str(), &st) == 0);
    CHECK(self->exe_file->id.ino == st.st_ino);
    CHECK_FALSE(self->exe_file->caps);

    // The caller is left out unless asked for.
    q.include_self = false;
    q.pids = {getpid()};
    CHECK(list_processes(*root, q, failures)->empty());
}

TEST_CASE("exe_link_path") {
    bool deleted = true;
    CHECK(exe_link_path("/usr/bin/x", &deleted) == "/usr/bin/x");
    CHECK_FALSE(deleted);
    CHECK(exe_link_path("/usr/bin/x (deleted)", &deleted) == "/usr/bin/x");
    CHECK(deleted);
    // a file whose name is the suffix alone keeps it
    CHECK(exe_link_path(" (deleted)", &deleted) == " (deleted)");
    CHECK_FALSE(deleted);
    CHECK(exe_link_path("/a (deleted) b") == "/a (deleted) b");
}

TEST_CASE("parse_lsm_label") {
    CHECK(parse_lsm_label("unconfined\n") == "unconfined");
    CHECK(parse_lsm_label(std::string_view("system_u:system_r:unconfined_t:s0\0", 34)) ==
          "system_u:system_r:unconfined_t:s0");
    CHECK(parse_lsm_label("docker-default (enforce)\nsecond\n") == "docker-default (enforce)");
    CHECK(parse_lsm_label("").empty());
    CHECK(parse_lsm_label(std::string_view("\0", 1)).empty());
}
