// file_walk: order, safety and limits of the directory walker on trees made here.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <capinspect/file_walk.h>

using namespace capinspect;

namespace {

// Removes everything below dirfd, relative to it (works at any depth).
void remove_below(int dirfd) {
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    DIR* d = fdopendir(fd);
    if (!d) { close(fd); return; }
    std::vector<std::pair<std::string, bool>> entries;
    while (struct dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        entries.emplace_back(name, e->d_type == DT_DIR);
    }
    for (auto& [name, is_dir] : entries) {
        if (is_dir) {
            fchmodat(dirfd, name.c_str(), 0700, 0);  // a mode-000 directory of a test
            int sub = openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                remove_below(sub);
                close(sub);
            }
            unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
        } else {
            unlinkat(dirfd, name.c_str(), 0);
        }
    }
    closedir(d);
}

struct TempTree {
    std::string root;
    int fd = -1;
    TempTree() {
        char tmpl[] = "/tmp/capinspect-walk-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        root = tmpl;
        fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    ~TempTree() {
        remove_below(fd);
        close(fd);
        rmdir(root.c_str());
    }
    void dir(const std::string& rel) { REQUIRE(mkdirat(fd, rel.c_str(), 0755) == 0); }
    void file(const std::string& rel) {
        int f = openat(fd, rel.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        REQUIRE(f >= 0);
        close(f);
    }
    std::string path(const std::string& rel) const { return root + "/" + rel; }
};

struct Seen {
    std::vector<std::string> files;  // "path" or "path!errno" for errors
    std::vector<std::string> dirs;   // "path!errno"
};

Seen walk(const std::vector<std::string>& starts, WalkOptions opt) {
    Seen seen;
    walk_file_caps(starts, opt, [&](const WalkEntry& e) {
        std::string text = e.path;
        if (e.error) text += "!" + std::to_string(e.error->code);
        (e.kind == WalkEntry::Kind::file ? seen.files : seen.dirs).push_back(text);
    });
    return seen;
}

WalkOptions all_files(unsigned jobs = 1) {
    WalkOptions o;
    o.jobs = jobs;
    o.all_files = true;
    return o;
}

}  // namespace

TEST_CASE("walk: depth first, entries sorted by name, a subtree right after its name") {
    TempTree t;
    t.dir("b");
    t.dir("a");
    t.dir("a/z");
    t.file("a/z/deep");
    t.file("a-b");
    t.file("a/y");
    t.file("c");
    t.file("B");
    t.dir("empty");
    auto seen = walk({t.root}, all_files());
    std::vector<std::string> want = {t.path("B"), t.path("a/y"), t.path("a/z/deep"), t.path("a-b"),
                                     t.path("c")};
    CHECK(seen.files == want);
    CHECK(seen.dirs.empty());
    // the same order with any number of threads
    for (unsigned jobs : {2u, 3u, 8u}) CHECK(walk({t.root}, all_files(jobs)).files == want);
}

TEST_CASE("walk: a slow reader holds the other threads back, and misses nothing") {
    // More directories than the walker reads ahead of the report, and a visitor that
    // stalls at the start: the threads pause, the order and the count stay right.
    TempTree t;
    std::vector<std::string> want;
    for (int a = 0; a < 60; ++a) {
        std::string top = "d" + std::to_string(100 + a);
        t.dir(top);
        for (int b = 0; b < 60; ++b) {
            std::string sub = top + "/s" + std::to_string(100 + b);
            t.dir(sub);
            t.file(sub + "/f");
            want.push_back(t.path(sub + "/f"));
        }
    }
    for (unsigned jobs : {2u, 4u}) {
        std::vector<std::string> seen;
        walk_file_caps({t.root}, all_files(jobs), [&](const WalkEntry& e) {
            if (seen.empty()) usleep(300 * 1000);
            seen.push_back(e.path);
        });
        CHECK(seen == want);
    }
}

TEST_CASE("walk: symlinks are never followed, FIFOs and sockets never opened") {
    TempTree t;
    t.dir("real");
    t.file("real/f");
    REQUIRE(symlinkat("real", t.fd, "link_dir") == 0);
    REQUIRE(symlinkat("real/f", t.fd, "link_file") == 0);
    REQUIRE(symlinkat("loop_b", t.fd, "loop_a") == 0);
    REQUIRE(symlinkat("loop_a", t.fd, "loop_b") == 0);
    REQUIRE(symlinkat(".", t.fd, "real/self") == 0);
    REQUIRE(mkfifoat(t.fd, "fifo", 0600) == 0);
    auto seen = walk({t.root}, all_files(2));
    CHECK(seen.files == std::vector<std::string>{t.path("real/f")});
    CHECK(seen.dirs.empty());
    // A start that is a symlink gives nothing, even with a trailing slash (nftw's rule).
    CHECK(walk({t.path("link_dir")}, all_files()).files.empty());
    CHECK(walk({t.path("link_dir/")}, all_files()).files.empty());
    CHECK(walk({t.path("fifo")}, all_files()).files.empty());
}

TEST_CASE("walk: starts in order, trailing slashes removed, a file start, a missing start") {
    TempTree t;
    t.dir("d");
    t.file("d/x");
    t.file("f");
    auto seen = walk({t.path("f"), t.root + "//", t.path("d") + "/", t.path("missing"), t.path("d")},
                     all_files(3));
    CHECK(seen.files == std::vector<std::string>{t.path("f"), t.path("d/x"), t.path("f"),
                                                 t.path("d/x"), t.path("d/x")});
    CHECK(seen.dirs == std::vector<std::string>{t.path("missing") + "!" + std::to_string(ENOENT)});
}

TEST_CASE("walk: without all_files only files with capabilities are reported") {
    TempTree t;
    t.file("plain");
    auto seen = walk({t.root}, WalkOptions{});
    CHECK(seen.files.empty());
    std::string v = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8) + std::string(12, '\0');
    if (setxattr(t.path("plain").c_str(), file_caps_xattr, v.data(), v.size(), 0) != 0) {
        MESSAGE("skipped the rest: setting security.capability needs CAP_SETFCAP");
        return;
    }
    std::vector<FileCaps> found;
    walk_file_caps({t.root}, WalkOptions{}, [&](const WalkEntry& e) {
        REQUIRE(e.caps);
        found.push_back(*e.caps);
    });
    REQUIRE(found.size() == 1);
    CHECK(found[0].permitted.has(13));
    CHECK(found[0].effective);
}

TEST_CASE("walk: paths deeper than PATH_MAX") {
    TempTree t;
    std::string name(200, 'd');
    int fd = dup(t.fd);
    const int levels = 40;  // 40 * 201 bytes > PATH_MAX
    for (int i = 0; i < levels; ++i) {
        REQUIRE(mkdirat(fd, name.c_str(), 0755) == 0);
        int next = openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        REQUIRE(next >= 0);
        close(fd);
        fd = next;
    }
    int f = openat(fd, "leaf", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    REQUIRE(f >= 0);
    close(f);
    close(fd);
    for (unsigned jobs : {1u, 2u}) {
        auto seen = walk({t.root}, all_files(jobs));
        REQUIRE(seen.files.size() == 1);
        CHECK(seen.files[0].size() > PATH_MAX);
        CHECK(seen.files[0].ends_with("/" + name + "/leaf"));
        CHECK(seen.dirs.empty());
    }
}

TEST_CASE("walk: excluded files and directories are neither reported nor entered") {
    TempTree t;
    t.dir("keep");
    t.dir("skip");
    t.file("keep/a");
    t.file("keep/b");
    t.file("skip/c");
    WalkOptions o = all_files(2);
    struct stat st {};
    REQUIRE(stat(t.path("skip").c_str(), &st) == 0);
    o.exclude.push_back(FileId{st.st_dev, st.st_ino});
    REQUIRE(stat(t.path("keep/b").c_str(), &st) == 0);
    o.exclude.push_back(FileId{st.st_dev, st.st_ino});
    CHECK(walk({t.root}, o).files == std::vector<std::string>{t.path("keep/a")});
    // excluded whatever the path says
    CHECK(walk({t.path("skip/../skip")}, o).files.empty());
}

TEST_CASE("walk: an unreadable directory is reported and the walk goes on") {
    if (geteuid() == 0) {
        MESSAGE("skipped: root reads every directory (tests/cli covers it with setpriv)");
        return;
    }
    TempTree t;
    t.dir("closed");
    t.file("closed/x");
    t.file("open");
    REQUIRE(fchmodat(t.fd, "closed", 0, 0) == 0);
    auto seen = walk({t.root}, all_files());
    CHECK(seen.dirs == std::vector<std::string>{t.path("closed") + "!" + std::to_string(EACCES)});
    CHECK(seen.files == std::vector<std::string>{t.path("open")});
}

TEST_CASE("walk: an exception from the visitor ends the walk and is passed on") {
    TempTree t;
    for (int i = 0; i < 50; ++i) {
        t.dir("d" + std::to_string(i));
        t.file("d" + std::to_string(i) + "/f");
    }
    int calls = 0;
    CHECK_THROWS_AS(walk_file_caps({t.root}, all_files(4),
                                   [&](const WalkEntry&) {
                                       if (++calls == 3) throw std::runtime_error("stop");
                                   }),
                    std::runtime_error);
    CHECK(calls == 3);
}

TEST_CASE("walk: statistics count directories and files") {
    TempTree t;
    t.dir("a");
    t.file("a/1");
    t.file("a/2");
    t.file("3");
    auto stats = walk_file_caps({t.root}, WalkOptions{}, [](const WalkEntry&) {});
    CHECK(stats.directories == 2);
    CHECK(stats.files == 3);
    CHECK(stats.skipped_mounts == 0);
}

namespace {

// Walks `root` with `jobs` threads in a child process that may run only `nproc` threads
// (RLIMIT_NPROC, unless 0; as root the child first becomes an unused uid, since root is
// exempt). Returns "FILES THREADS ERRNO", or what went wrong.
std::string walk_with_thread_limit(const std::string& root, unsigned jobs, rlim_t nproc) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        std::string out;
        // Below 65536: mapped in the user namespace of a container too.
        uid_t uid = 40000 + static_cast<uid_t>(getpid() % 20000);
        if (geteuid() == 0 && (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)) {
            out = "cannot change uid";
        } else {
            struct rlimit lim {nproc, nproc};
            if (nproc && setrlimit(RLIMIT_NPROC, &lim) != 0) {
                out = "cannot set RLIMIT_NPROC";
            } else {
                WalkOptions o;
                o.jobs = jobs;
                o.all_files = true;
                size_t files = 0;
                try {
                    auto stats = walk_file_caps({root}, o, [&](const WalkEntry& e) { files += !e.error; });
                    out = std::to_string(files) + " " + std::to_string(stats.threads) + " " +
                          std::to_string(stats.thread_error);
                } catch (const std::exception& e) {
                    out = std::string("exception: ") + e.what();
                }
            }
        }
        (void)!write(fds[1], out.data(), out.size());
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return "the child died with signal " + std::to_string(WTERMSIG(status));
    return out;
}

}  // namespace

TEST_CASE("walk: threads that cannot be started (RLIMIT_NPROC, pids.max) leave fewer walkers") {
    TempTree t;
    REQUIRE(chmod(t.root.c_str(), 0755) == 0);  // for the unused uid of the child
    for (int i = 0; i < 40; ++i) {
        t.dir("d" + std::to_string(i));
        t.file("d" + std::to_string(i) + "/f");
    }
    // Not a single thread: the calling thread walks alone.
    CHECK(walk_with_thread_limit(t.root, 4, 1) == "40 1 " + std::to_string(EAGAIN));
    if (geteuid() != 0) {
        MESSAGE("skipped the rest: only root can walk as a uid without other processes");
        return;
    }
    // One more thread than the caller: the walk goes on with two.
    CHECK(walk_with_thread_limit(t.root, 4, 2) == "40 2 " + std::to_string(EAGAIN));
    // No limit: every thread asked for.
    CHECK(walk_with_thread_limit(t.root, 4, 0) == "40 4 0");
}

TEST_CASE("is_pseudo_fs") {
    CHECK(is_pseudo_fs(0x9fa0));      // proc
    CHECK(is_pseudo_fs(0x62656572));  // sysfs
    CHECK(is_pseudo_fs(static_cast<std::int64_t>(0xcafe4a11)));  // bpf
    CHECK(is_pseudo_fs(static_cast<std::int32_t>(0xcafe4a11)));  // bpf, as a signed 32-bit f_type
    CHECK_FALSE(is_pseudo_fs(0xEF53));      // ext4
    CHECK_FALSE(is_pseudo_fs(0x01021994));  // tmpfs (also devtmpfs)
}
