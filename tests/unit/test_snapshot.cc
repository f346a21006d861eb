// capinspect snapshot, diff, verify: the reader on literal and broken documents, the diff
// engine on literal snapshots (every kind of change; pids and order never matter), the
// text and JSON renderings.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/escape.h>

#include "capinspect/diff.h"
#include "capinspect/snapshot.h"
#include "common/json.h"

using namespace capinspect;
using namespace capinspect::auditor;
using capinspect::cli::Json;

namespace {

Json names(std::initializer_list<const char*> caps) {
    Json list = Json::array();
    for (const char* c : caps) list.push_back(c);
    return list;
}

Json all_caps(Cap last) {
    Json list = Json::array();
    for (Cap c = 0; c <= last; ++c) list.push_back(cap_name(c));
    return list;
}

struct Proc {
    int pid;
    const char* command;
    Json unit, exe;
    int uid;
    const char* user;
    Json effective, permitted;
    Json ambient = Json::array();
    const char* scope = "host";
};

Json process(const Proc& p, Cap last = 40) {
    Json o = Json::object();
    o["pid"] = p.pid;
    o["ppid"] = 1;
    o["command"] = p.command;
    o["uid"] = p.uid;
    o["user"] = p.user;
    o["unit"] = p.unit;
    o["exe"] = p.exe;
    o["effective"] = p.effective;
    o["permitted"] = p.permitted;
    o["inheritable"] = Json::array();
    o["bounding"] = all_caps(last);
    o["ambient"] = p.ambient;
    o["no_new_privs"] = false;
    o["seccomp"] = "disabled";
    o["seccomp_filters"] = 0;
    o["scope"] = p.scope;
    o["userns_owner"] = nullptr;
    o["threads"] = Json::array();
    o["exe_caps"] = nullptr;
    return o;
}

Json socket(const char* proto, const char* laddr, int port, const char* exposure, std::vector<int> pids,
            std::uint64_t inode) {
    Json o = Json::object();
    o["proto"] = proto;
    o["state"] = "LISTEN";
    o["laddr"] = laddr;
    o["lport"] = port;
    o["iface"] = nullptr;
    o["netns"] = 4026531840u;
    o["inode"] = inode;
    o["exposure"] = exposure;
    o["pids"] = Json::array();
    for (int p : pids) o["pids"].push_back(p);
    return o;
}

Json file(const char* path, const char* set, Json permitted, bool flag = true, Json rootid = nullptr,
          int version = 2) {
    Json o = Json::object();
    o["path"] = path;
    o["set"] = set;
    o["effective_flag"] = flag;
    o["permitted"] = permitted;
    o["inheritable"] = Json::array();
    o["rootid"] = rootid;
    o["version"] = version;
    return o;
}

// A small machine: sshd, two nginx workers (one key), a session app, a container shim in
// a user namespace; three listeners; three files.
Json base() {
    Json doc = cli::json_document();
    doc["snapshot"] = {{"capinspect_version", "0.1.0"}, {"hostname", "web1"},        {"kernel", "6.1.0-13-amd64"},
                       {"time", "2026-12-01T10:00:00Z"},  {"cap_last_cap", 40},     {"file_roots", {"/usr"}}};
    doc["processes"] = {
        process({812, "sshd", "ssh.service", "/usr/sbin/sshd", 0, "root", all_caps(40), all_caps(40)}),
        process({900, "nginx", "nginx.service", "/usr/sbin/nginx", 33, "www-data", names({"net_bind_service"}),
                 names({"net_bind_service"})}),
        process({901, "nginx", "nginx.service", "/usr/sbin/nginx", 33, "www-data", names({}),
                 names({"net_bind_service"})}),
        process({2300, "app", "session-3.scope", "/opt/app/bin/app (deleted)", 1000, "alice", names({"net_raw"}),
                 names({"net_raw"}), names({"net_raw"})}),
        process({3100, "shim", nullptr, "/usr/bin/shim", 0, "root", all_caps(40), all_caps(40), Json::array(),
                 "userns"}),
    };
    doc["sockets"] = {
        socket("tcp", "*", 22, "wildcard", {812}, 1001),
        socket("tcp6", "*", 22, "wildcard", {812}, 1002),
        socket("tcp", "127.0.0.1", 8080, "loopback", {900, 901}, 1003),
        socket("udp", "10.0.0.5", 5353, "address", {}, 1004),
    };
    doc["files"] = {
        file("/usr/bin/ping", "effective", names({"net_raw"})),
        file("/usr/bin/newuidmap", "permitted", names({"setuid"}), false),
        file("/usr/lib/x\\x1B[31m", "effective", names({"sys_admin"})),
    };
    doc["unread"] = Json::array();
    return doc;
}

Snapshot parsed(const Json& doc) {
    std::string error;
    auto snap = parse_snapshot(doc.dump(), error);
    INFO(error);
    REQUIRE(snap);
    return *snap;
}

Diff diff_of(const Json& old, const Json& now) { return diff_snapshots(parsed(old), parsed(now)); }

std::vector<std::string> kinds(const Diff& d) {
    std::vector<std::string> out;
    for (const Change& c : d.changes) out.push_back(change_kind_name(c.kind));
    return out;
}

std::string parse_error(const std::string& text) {
    std::string error;
    auto snap = parse_snapshot(text, error);
    CHECK_FALSE(snap);
    CHECK(!error.empty());
    CHECK(error.find('\n') == std::string::npos);
    return error;
}

Json& find_process(Json& doc, int pid) {
    for (Json& p : doc["processes"])
        if (p["pid"] == pid) return p;
    FAIL("no process " << pid);
    return doc;
}

}  // namespace

TEST_CASE("snapshot reader: a document reads back field by field, names decoded") {
    Json doc = base();
    doc["processes"][0]["command"] = "ss\\x0Ahd\\x5C";
    doc["processes"][0]["threads"] = {{{"tid", 813},
                                       {"command", "worker"},
                                       {"effective", names({})},
                                       {"permitted", names({"chown"})},
                                       {"inheritable", names({})},
                                       {"bounding", names({"chown", "cap_45"})},
                                       {"ambient", nullptr}}};
    doc["processes"][0]["exe_caps"] = file("", "effective", names({"net_raw"}), true, 1000, 3);
    doc["processes"][0]["exe_caps"].erase("path");
    doc["unread"] = {{{"what", "directory"}, {"error", "Permission denied"}, {"total", nullptr}, {"path", "/r\\x09"}}};
    doc["extra_key_of_a_later_release"] = {{"anything", 1}};
    Snapshot s = parsed(doc);
    CHECK(s.info.hostname == "web1");
    CHECK(s.info.cap_last_cap == 40);
    REQUIRE(s.info.file_roots);
    CHECK(*s.info.file_roots == std::vector<std::string>{"/usr"});
    REQUIRE(s.processes.size() == 5);
    const ProcessRecord& sshd = s.processes[0];
    CHECK(sshd.pid == 812);
    CHECK(sshd.command == "ss\nhd\\");
    CHECK(sshd.unit == "ssh.service");
    CHECK(sshd.sets.effective == CapSet::all_up_to(40));
    CHECK(sshd.no_new_privs == false);
    CHECK(sshd.seccomp == SeccompMode::disabled);
    CHECK(sshd.scope == PrivilegeScope::host);
    REQUIRE(sshd.threads.size() == 1);
    CHECK(sshd.threads[0].tid == 813);
    CHECK(sshd.threads[0].sets.bounding == CapSet((1ull << 0) | (1ull << 45)));
    CHECK_FALSE(sshd.threads[0].sets.ambient);
    REQUIRE(sshd.exe_caps);
    CHECK(sshd.exe_caps->rootid == 1000u);
    CHECK(sshd.exe_caps->version == 3);
    CHECK(s.processes[3].sets.ambient == CapSet(1ull << 13));
    CHECK(s.processes[4].scope == PrivilegeScope::namespace_);
    REQUIRE(s.sockets.size() == 4);
    CHECK(s.sockets[2].pids == std::vector<pid_t>{900, 901});
    CHECK(s.sockets[3].exposure == Exposure::address);
    REQUIRE(s.files);
    CHECK((*s.files)[2].path == "/usr/lib/x\x1b[31m");
    CHECK((*s.files)[1].caps.set == "permitted");
    CHECK_FALSE((*s.files)[1].caps.effective_flag);
    REQUIRE(s.unread.size() == 1);
    CHECK(s.unread[0].path == "/r\t");
}

TEST_CASE("snapshot reader: --no-files and invalid files") {
    Json doc = base();
    doc["snapshot"]["file_roots"] = nullptr;
    doc["files"] = nullptr;
    CHECK_FALSE(parsed(doc).files);
    doc = base();
    doc["files"].push_back({{"path", "/usr/bad"}, {"set", "invalid"}, {"error", "bad size"}, {"permitted", nullptr}});
    Snapshot s = parsed(doc);
    CHECK(s.files->back().caps.set == "invalid");
    CHECK(s.files->back().caps.error == "bad size");
}

TEST_CASE("snapshot reader: broken documents give one line, never an exception") {
    CHECK(parse_error("").find("not valid JSON") == 0);
    CHECK(parse_error("not json").find("not valid JSON") == 0);
    CHECK(parse_error("[]") == "expected a JSON object, found an array");
    CHECK(parse_error("{}") == "no schema_version: not a capinspect document");
    CHECK(parse_error("{\"schema_version\": 3, \"whatever\": []}").find("schema_version 3 is newer") == 0);
    CHECK(parse_error("{\"schema_version\": 18446744073709551615}").find("is newer") != std::string::npos);
    CHECK(parse_error("{\"schema_version\": 1}").find("schema_version 1 is not supported") == 0);
    CHECK(parse_error("{\"schema_version\": \"2\"}").find("schema_version: expected a number") == 0);
    CHECK(parse_error("{\"schema_version\": 2, \"processes\": []}") ==
          "no \"snapshot\" object: not a capinspect snapshot");
    CHECK(parse_error(std::string(100, '[') + std::string(100, ']')).find("nested deeper") != std::string::npos);
    CHECK(parse_error("{\"schema_version\": 2, \"snapshot\": \"\xff\"}").find("not valid JSON") == 0);

    // Every prefix of a good document is refused.
    std::string text = base().dump(3);
    for (size_t n = 0; n < text.size(); ++n) {
        std::string error;
        CHECK_FALSE(parse_snapshot(text.substr(0, n), error));
    }
}

TEST_CASE("snapshot reader: every field is checked") {
    struct Case {
        const char* pointer;
        Json value;
        const char* message;
    };
    const Case cases[] = {
        {"/snapshot/cap_last_cap", 64, "snapshot.cap_last_cap: expected a number from 0 to 63, found 64"},
        {"/snapshot/hostname", "a\\x4", "snapshot.hostname: not an escaped name: \"a\\\\x4\""},
        {"/snapshot/file_roots/0", "usr", "snapshot.file_roots[0]: not an absolute path: \"usr\""},
        {"/snapshot/time", 5, "snapshot.time: expected a string, found a number"},
        {"/processes", Json::object(), "processes: expected an array, found an object"},
        {"/processes/1", 7, "processes[1]: expected an object, found a number"},
        {"/processes/1/pid", -4, "processes[1].pid: expected a number from 0 to 2147483647, found -4"},
        {"/processes/1/pid", 1.5, "processes[1].pid: expected a number from 0 to 2147483647, found 1.5"},
        {"/processes/1/uid", 4294967296u, "processes[1].uid: expected a number from 0 to 4294967295"},
        {"/processes/1/command", nullptr, "processes[1].command: must not be null"},
        {"/processes/1/effective", "chown", "processes[1].effective: expected an array of capability names"},
        {"/processes/1/effective/0", "fly", "processes[1].effective: unknown capability \"fly\""},
        {"/processes/1/effective/0", "cap_64", "processes[1].effective: unknown capability \"cap_64\""},
        {"/processes/1/effective/0", 3, "processes[1].effective: expected a capability name, found a number"},
        {"/processes/1/seccomp", "loose", "processes[1].seccomp: unknown mode \"loose\""},
        {"/processes/1/scope", "moon", "processes[1].scope: unknown scope \"moon\""},
        {"/processes/1/no_new_privs", "yes", "processes[1].no_new_privs: expected a boolean, found a string"},
        {"/processes/1/threads", Json::object(), "processes[1].threads: expected an array, found an object"},
        {"/processes/1/exe_caps", {{"set", "effective"}}, "processes[1].exe_caps.effective_flag: missing"},
        {"/sockets/0/proto", "sctp", "sockets[0].proto: unknown protocol \"sctp\""},
        {"/sockets/0/lport", 65536, "sockets[0].lport: expected a number from 0 to 65535, found 65536"},
        {"/sockets/0/exposure", "everywhere", "sockets[0].exposure: unknown class \"everywhere\""},
        {"/sockets/0/pids/0", 0, "sockets[0].pids: expected process ids, found 0"},
        {"/files/0/set", "magic", "files[0].set: unknown class \"magic\""},
        {"/files/0/version", 4, "files[0].version: expected a number from 0 to 3, found 4"},
        {"/files/0/version", 0, "files[0].version: expected 1, 2 or 3, found 0"},
        {"/files", nullptr, "files: missing, but snapshot.file_roots lists roots"},
        {"/unread/-", {{"error", "x"}}, "unread[0].what: missing"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.pointer);
        Json doc = base();
        doc[Json::json_pointer(c.pointer)] = c.value;
        std::string error = parse_error(doc.dump());
        CHECK(error.find(c.message) == 0);
        CHECK(error.size() < 200);
    }
    Json doc = base();
    doc["processes"][1].erase("user");
    CHECK(parse_error(doc.dump()) == "processes[1].user: missing");
    doc = base();
    doc["snapshot"]["file_roots"] = nullptr;
    CHECK(parse_error(doc.dump()) == "files: listed, but snapshot.file_roots is null");
}

TEST_CASE("diff keys: service unit, else executable, else command; never the pid") {
    ProcessRecord p;
    p.command = "app";
    p.user = "alice";
    p.unit = "session-3.scope";
    p.exe = "/opt/app/bin/app (deleted)";
    CHECK(subject_of(p) == Subject{Subject::Kind::exe, "/opt/app/bin/app"});
    p.unit = "app.service";
    CHECK(subject_of(p) == Subject{Subject::Kind::unit, "app.service"});
    p.unit.reset();
    p.exe.reset();
    CHECK(subject_of(p) == Subject{Subject::Kind::command, "app"});
    p.user = "";
    p.uid = 1234;
    CHECK(process_key(p).user == "1234");
}

TEST_CASE("diff: the same machine diffs clean, whatever the pids and the order") {
    Json old = base(), now = base();
    CHECK(diff_of(old, now).changes.empty());
    // Restarted: every pid different, lists reversed, socket inodes new, time later.
    int next = 5000;
    std::map<int, int> moved;
    for (Json& p : now["processes"]) {
        moved[p["pid"].get<int>()] = next;
        p["pid"] = next++;
    }
    for (Json& s : now["sockets"]) {
        for (Json& pid : s["pids"]) pid = moved[pid.get<int>()];
        s["inode"] = s["inode"].get<int>() + 777;
    }
    std::reverse(now["processes"].begin(), now["processes"].end());
    std::reverse(now["sockets"].begin(), now["sockets"].end());
    std::reverse(now["files"].begin(), now["files"].end());
    now["snapshot"]["time"] = "2026-12-02T10:00:00Z";
    // A third nginx worker with what the others hold, and the deleted exe back in place.
    Json worker = find_process(now, moved[901]);
    worker["pid"] = 6000;
    now["processes"].push_back(worker);
    find_process(now, moved[2300])["exe"] = "/opt/app/bin/app";
    find_process(now, moved[2300])["unit"] = "session-9.scope";
    Diff d = diff_of(old, now);
    CHECK(kinds(d).empty());
    CHECK(d.gained == 0);
    CHECK(d.lost == 0);
    CHECK(diff_text(d, false, true) == "no differences\n");
}

TEST_CASE("diff: every kind of gain, each named once, gains first") {
    Json old = base(), now = base();
    // a new privileged process key
    now["processes"].push_back(process({7000, "backup", "backup.service", "/usr/bin/backup", 0, "root",
                                        names({"dac_read_search"}), names({"dac_read_search"})}));
    // a capability added to a key, through one worker only (the key is the union)
    find_process(now, 901)["permitted"] = names({"net_bind_service", "net_admin"});
    // namespace-only privilege became host-effective
    find_process(now, 3100)["scope"] = "host";
    // defences weakened: no_new_privs cleared for the app
    find_process(old, 2300)["no_new_privs"] = true;
    // a new file and a changed one (an added capability)
    now["files"].push_back(file("/usr/local/bin/tool", "effective", names({"sys_time"})));
    now["files"][0]["permitted"] = names({"net_raw", "net_admin"});
    // a new listener of a capability holder
    now["sockets"].push_back(socket("tcp", "*", 9000, "wildcard", {7000}, 2001));
    Diff d = diff_of(old, now);
    CHECK(kinds(d) == std::vector<std::string>{"process_added", "capabilities_added", "scope_widened",
                                               "defences_weakened", "file_added", "file_changed", "listener_added"});
    CHECK(d.gained == 7);
    CHECK(d.lost == 0);
    const Change& caps = d.changes[1];
    CHECK(caps.process->who == Subject{Subject::Kind::unit, "nginx.service"});
    CHECK(caps.process->user == "www-data");
    CHECK(caps.delta.permitted == CapSet(1ull << 12));
    CHECK(caps.delta.effective.empty());
    CHECK(d.changes[6].listener->lport == 9000);
    CHECK(d.changes[6].listener->owner == Subject{Subject::Kind::unit, "backup.service"});

    std::string text = diff_text(d, false, true);
    CHECK(text.find("7 gained, 0 lost\nGained:\n") == 0);
    CHECK(text.find("unit nginx.service (user www-data): permitted +net_admin") != std::string::npos);
    CHECK(text.find("exe /usr/bin/shim (user root): user namespace only -> host") != std::string::npos);
    CHECK(text.find("no_new_privs yes -> no") != std::string::npos);
    CHECK(text.find("/usr/bin/ping: effective net_raw -> effective net_admin,net_raw") != std::string::npos);
    CHECK(text.find("tcp wildcard port 9000, unit backup.service") != std::string::npos);
    CHECK(text.find("Lost:") == std::string::npos);

    // Reversed, each is a loss (the file lost a capability: reduced, not changed).
    Diff back = diff_of(now, old);
    CHECK(kinds(back) == std::vector<std::string>{"process_removed", "capabilities_removed", "scope_narrowed",
                                                  "defences_strengthened", "file_reduced", "file_removed",
                                                  "listener_removed"});
    CHECK(back.gained == 0);
    CHECK(back.lost == 7);
}

TEST_CASE("diff: file changes that can give privilege are gains") {
    auto one = [](Json f) {
        Json doc = base();
        doc["files"][0] = std::move(f);
        return doc;
    };
    Json ping = file("/usr/bin/ping", "effective", names({"net_raw"}));
    struct Case {
        Json after;
        const char* kind;
    };
    Json permitted_only = file("/usr/bin/ping", "permitted", names({"net_raw"}), false);
    Json ns = file("/usr/bin/ping", "effective", names({"net_raw"}), true, 1000, 3);
    Json invalid = {{"path", "/usr/bin/ping"}, {"set", "invalid"}, {"error", "bad"}};
    const Case cases[] = {
        {permitted_only, "file_reduced"},  // effective flag cleared
        {ns, "file_changed"},              // now for a namespace's root only: changed all the same
        {invalid, "file_changed"},
        {file("/usr/bin/ping", "empty", names({}), false), "file_reduced"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.kind);
        CHECK(kinds(diff_of(one(ping), one(c.after))) == std::vector<std::string>{c.kind});
    }
    // From a namespaced value to a host one: the rootid went away, a gain.
    CHECK(kinds(diff_of(one(ns), one(ping))) == std::vector<std::string>{"file_changed"});
    CHECK(kinds(diff_of(one(permitted_only), one(ping))) == std::vector<std::string>{"file_changed"});
}

TEST_CASE("diff: listeners by protocol, exposure, port and owner") {
    Json old = base(), now = base();
    now["sockets"][0]["exposure"] = "loopback";        // sshd's tcp 22: another class
    now["sockets"][2]["pids"] = {901};                  // one worker fewer: the same key
    now["sockets"][3]["pids"] = {812};                  // the unowned 5353 now sshd's
    now["sockets"].push_back(socket("udp", "10.0.0.6", 5353, "address", {}, 1005));  // same key
    Diff d = diff_of(old, now);
    CHECK(kinds(d) == std::vector<std::string>{"listener_added", "listener_added", "listener_removed"});
    std::string text = diff_text(d, false, true);
    CHECK(text.find("+ new listener  tcp loopback port 22, unit ssh.service") != std::string::npos);
    CHECK(text.find("- listener gone tcp wildcard port 22, unit ssh.service") != std::string::npos);
    CHECK(text.find("udp address port 5353, unit ssh.service") != std::string::npos);
    CHECK(text.find("udp address port 5353, owner not visible") == std::string::npos);
    // The unowned listener stays one key however many sockets it is.
    Json again = old;
    again["sockets"].push_back(socket("udp", "10.0.0.7", 5353, "address", {}, 1006));
    CHECK(diff_of(old, again).changes.empty());
}

TEST_CASE("diff: full sets stay full when the kernel learns capabilities") {
    Json old = base(), now = base();
    old["snapshot"]["cap_last_cap"] = 38;
    for (Json& p : old["processes"]) {
        p["bounding"] = all_caps(38);
        if (p["effective"].size() == 41) p["effective"] = p["permitted"] = all_caps(38);
    }
    Diff d = diff_of(old, now);
    CHECK(d.changes.empty());
    REQUIRE(d.notes.size() == 1);
    CHECK(d.notes[0].find("last capability changed from 38 to 40") != std::string::npos);
    // A set that was not full does gain them.
    find_process(now, 900)["permitted"] = names({"net_bind_service", "bpf"});
    CHECK(kinds(diff_of(old, now)) == std::vector<std::string>{"capabilities_added"});
}

TEST_CASE("diff: threads count for their process; merged keys take the weakest defences") {
    Json old = base(), now = base();
    find_process(now, 812)["effective"] = names({});
    find_process(now, 812)["threads"] = {{{"tid", 813},
                                          {"command", "sshd"},
                                          {"effective", all_caps(40)},
                                          {"permitted", all_caps(40)},
                                          {"inheritable", names({})},
                                          {"bounding", all_caps(40)},
                                          {"ambient", names({})}}};
    CHECK(diff_of(old, now).changes.empty());
    // seccomp on one nginx worker only: the key is as confined as its least confined process
    find_process(now, 900)["seccomp"] = "filter";
    CHECK(diff_of(old, now).changes.empty());
    find_process(now, 901)["seccomp"] = "strict";
    CHECK(kinds(diff_of(old, now)) == std::vector<std::string>{"defences_strengthened"});
    CHECK(kinds(diff_of(now, old)) == std::vector<std::string>{"defences_weakened"});
}

TEST_CASE("diff: file roots; snapshots without files") {
    Json old = base(), now = base();
    now["snapshot"]["file_roots"] = {"/usr/bin"};
    now["files"].erase(2);  // /usr/lib/...: outside the new roots, not a removal
    Diff d = diff_of(old, now);
    CHECK(d.changes.empty());
    REQUIRE(d.notes.size() == 1);
    CHECK(d.notes[0].find("different file roots") != std::string::npos);
    now["snapshot"]["file_roots"] = nullptr;
    now["files"] = nullptr;
    d = diff_of(old, now);
    CHECK(d.changes.empty());
    CHECK(d.notes[0] == "files are not compared: the new snapshot was taken without them");
}

TEST_CASE("diff text: hostile names escaped, colour only when asked") {
    Json old = base(), now = base();
    now["files"].push_back(file("/usr/bin/evil\\x0A+ new file     /usr/bin/forged\\x1B]0;x\\x07\\xE2\\x80\\xAE",
                                "effective", names({"sys_admin"})));
    now["processes"].push_back(process({7001, "x", nullptr, "/tmp/\\x1B[2Jwipe", 0, "root", names({"kill"}),
                                        names({"kill"})}));
    Diff d = diff_of(old, now);
    REQUIRE(d.changes.size() == 2);
    CHECK(d.changes[1].path == "/usr/bin/evil\n+ new file     /usr/bin/forged\x1b]0;x\x07\xe2\x80\xae");
    std::string text = diff_text(d, false, true);
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);  // summary, heading, two lines
    CHECK(std::none_of(text.begin(), text.end(), [](char c) { return (c < 0x20 && c != '\n') || c == 0x7f; }));
    CHECK(text.find("evil\\x0A+ new file") != std::string::npos);
    CHECK(text.find("\\xE2\\x80\\xAE") != std::string::npos);
    CHECK(text.find("exe /tmp/\\x1B[2Jwipe (user root)") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);
    std::string coloured = diff_text(d, true, true);
    CHECK(coloured.find("\x1b[31m  + ") != std::string::npos);
    // JSON: the reversible escape, which reads back to the bytes.
    Json doc = diff_json(d, parsed(old), parsed(now));
    CHECK(doc.begin().key() == "schema_version");
    std::string path = doc["changes"][1]["path"].get<std::string>();
    CHECK(cli::parse_json_name(path).value() == *d.changes[1].path);
    CHECK(doc["changes"][0]["exe"] == "/tmp/\\x1B[2Jwipe");
}

TEST_CASE("diff JSON: the document's shape") {
    Json old = base(), now = base();
    find_process(now, 812)["permitted"] = names({"chown"});
    Diff d = diff_of(old, now);
    Json doc = diff_json(d, parsed(old), parsed(now));
    CHECK(doc["gained"] == 0);
    CHECK(doc["lost"] == 1);
    CHECK(doc["old"]["hostname"] == "web1");
    const Json& c = doc["changes"][0];
    CHECK(c["change"] == "capabilities_removed");
    CHECK(c["gain"] == false);
    CHECK(c["unit"] == "ssh.service");
    CHECK(c["exe"].is_null());
    CHECK(c["user"] == "root");
    CHECK(c["permitted"].size() == 40);
    CHECK(c["effective"] == Json::array());
    CHECK(c["before"]["pids"] == Json{812});
    CHECK(c["after"]["permitted"] == Json{"chown"});
}
