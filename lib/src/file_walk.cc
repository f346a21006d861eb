#include <capinspect/file_walk.h>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include <capinspect/proc_root.h>

#include "file_caps_internal.h"
#include "xattr_at.h"

namespace capinspect {
namespace {

// f_type values of statfs(2) (linux/magic.h; some are missing from older headers).
constexpr std::int64_t pseudo_fs_magic[] = {
    0x9fa0,      // proc
    0x62656572,  // sysfs
    0x27e0eb,    // cgroup
    0x63677270,  // cgroup2
    0x64626720,  // debugfs
    0x74726163,  // tracefs
    0x73636673,  // securityfs
    static_cast<std::int64_t>(0xcafe4a11),  // bpf
    0x62656570,  // configfs
    static_cast<std::int64_t>(0xde5e81e4),  // efivarfs
    0x6165676c,  // pstore
    0x0187,      // autofs: entering its directories would trigger mounts
    0x1cd1,      // devpts
    0x19800202,  // mqueue
    static_cast<std::int64_t>(0xf97cff8c),  // selinuxfs
    0x43415d53,  // smackfs
    0x42494e4d,  // binfmt_misc
    0x65735543,  // fusectl
    0x6e736673,  // nsfs
    0x7655821,   // resctrl
    0x67596969,  // rpc_pipefs
    0x6e667364,  // nfsd
};

constexpr size_t dirent_buffer_size = 64 * 1024;
// How much memory the directories read ahead of the report (read, not yet reached by it)
// may hold, as held_bytes() counts it. The caller always reads the directory it needs
// next when that one is queued, which keeps this to a few hundred kilobytes on a system
// tree; when the report stalls (a slow reader of the output, a slow visitor) the other
// threads pause here. A bound in bytes, not in directories: a directory of many files
// with capabilities and long names holds a hundred times what a plain one does.
constexpr size_t max_read_ahead_bytes = 1 << 20;
constexpr int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;

struct DirNode;

struct FileResult {
    std::string name;
    std::optional<FileCaps> caps;
    std::optional<Error> error;  // without the path
};

// A reported file or a subdirectory of a directory, by name.
struct Item {
    std::string_view name;  // points into dir->name or file->name (both on the heap)
    std::unique_ptr<DirNode> dir;
    std::unique_ptr<FileResult> file;
};

struct DirNode {
    DirNode* parent = nullptr;  // null for a start
    std::string name;           // a start: its path
    std::shared_ptr<Fd> parent_fd;  // the parent's descriptor, held until this one is open
    dev_t dev = 0;
    ino_t ino = 0;
    dev_t start_dev = 0;
    // Written by the thread that reads the directory, read by the caller once done.
    std::optional<Error> error;
    std::unique_ptr<FileResult> self;  // a start that is a regular file
    std::vector<Item> items;           // sorted by name
    size_t bytes = 0;                  // held_bytes() once read
    std::atomic<bool> done{false};
};

// Heap bytes of a string's characters (libstdc++ keeps up to 15 in the object itself).
size_t heap_bytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

size_t held_bytes(const FileResult& r) {
    return sizeof(FileResult) + heap_bytes(r.name) + (r.error ? heap_bytes(r.error->context) : 0);
}

// An estimate of the memory a read directory holds until the report reaches it: its item
// list, the nodes of its subdirectories, the results of its files, a malloc header for
// each block, and a share for the directory itself, so that empty ones count too.
size_t held_bytes(const DirNode& n) {
    constexpr size_t header = 16;
    size_t bytes = sizeof(DirNode) + n.items.capacity() * sizeof(Item) + header;
    if (n.self) bytes += held_bytes(*n.self) + header;
    for (const Item& item : n.items) {
        if (item.dir) bytes += sizeof(DirNode) + heap_bytes(item.dir->name) + header;
        if (item.file) bytes += held_bytes(*item.file) + header;
    }
    return bytes;
}

unsigned cpu_count() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

// "dir" + "/" + "name", without doubling the slash of "/".
void append_component(std::string& path, std::string_view name) {
    if (path.empty() || path.back() != '/') path += '/';
    path += name;
}

std::string full_path(const DirNode* n) {
    std::vector<const DirNode*> chain;
    for (; n; n = n->parent) chain.push_back(n);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (it == chain.rbegin())
            out = (*it)->name;
        else
            append_component(out, (*it)->name);
    }
    return out;
}

// Removes trailing slashes, keeping "/" (nftw's rule: "dir//" walks as "dir").
std::string strip_slashes(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

class Walker {
public:
    Walker(const WalkOptions& options, const WalkVisitor& visit)
        : opt_(options), visit_(visit) {}

    WalkStats run(const std::vector<std::string>& starts) {
        for (const std::string& s : starts) {
            auto node = std::make_unique<DirNode>();
            node->name = strip_slashes(s);
            roots_.push_back(std::move(node));
        }
        for (auto it = roots_.rbegin(); it != roots_.rend(); ++it) stack_.push_back(it->get());

        unsigned jobs = opt_.jobs ? opt_.jobs : cpu_count();
        max_threads_ = jobs + opt_.io_jobs;
        threads_.reserve(max_threads_ - 1);
        try {
            {
                std::lock_guard lock(mu_);
                for (unsigned i = 1; i < jobs; ++i) add_thread();
            }
            deliver();
        } catch (...) {
            stop();
            throw;
        }
        unsigned threads = stop();
        return WalkStats{directories_.load(), files_.load(), skipped_mounts_.load(), threads,
                         thread_error_};
    }

private:
    struct IoWatch {
        unsigned long directories = 0;
        long inblock = 0;
    };

    struct Frame {
        DirNode* node;
        size_t next;      // next item to deliver
        size_t path_len;  // length of path_ for this directory
    };

    // Ends the worker threads; returns how many threads walked, the caller included.
    unsigned stop() {
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mu_);
            stop_ = true;
            threads = std::move(threads_);
        }
        cv_.notify_all();
        for (auto& t : threads) t.join();
        return static_cast<unsigned>(threads.size()) + 1;
    }

    // With mu_ held. A thread that cannot be started (EAGAIN: RLIMIT_NPROC, a cgroup's
    // pids.max) is no failure: the walk goes on with the threads it has, the calling one
    // at least, and starts no more.
    void add_thread() {
        if (stop_ || thread_error_ || threads_.size() + 1 >= max_threads_) return;
        try {
            threads_.emplace_back([this] { work(); });
        } catch (const std::system_error& e) {
            thread_error_ = e.code().value() ? e.code().value() : EAGAIN;
        }
    }

    // Every few directories: did this thread read from the disk since the last look? Then
    // the walk is waiting for I/O, and one more thread lets another read overlap it.
    void watch_io(IoWatch& w) {
        if (opt_.io_jobs == 0 || ++w.directories % 8 != 0) return;
        struct rusage ru {};
        if (::getrusage(RUSAGE_THREAD, &ru) != 0) return;
        bool read_disk = ru.ru_inblock > w.inblock;
        w.inblock = ru.ru_inblock;
        if (!read_disk) return;
        std::lock_guard lock(mu_);
        add_thread();
    }

    // A worker thread: reads directories until told to stop.
    void work() {
        std::unique_ptr<char[]> buf(new char[dirent_buffer_size]);
        IoWatch io;
        for (;;) {
            DirNode* task;
            {
                std::unique_lock lock(mu_);
                while ((stack_.empty() || read_ahead_bytes_.load() > max_read_ahead_bytes) && !stop_) {
                    bool paused = !stack_.empty();
                    ++idle_;
                    paused_ += paused;
                    cv_.wait(lock);
                    --idle_;
                    paused_ -= paused;
                }
                if (stop_) return;
                task = stack_.back();
                stack_.pop_back();
            }
            process(task, buf.get());
            watch_io(io);
        }
    }

    // The calling thread: delivers results in order, and reads directories itself while
    // the next result is not ready.
    void deliver() {
        std::unique_ptr<char[]> buf(new char[dirent_buffer_size]);
        IoWatch io;
        for (;;) {
            DirNode* awaited = advance();
            if (!awaited) return;
            DirNode* task = nullptr;
            {
                std::unique_lock lock(mu_);
                size_t read_ahead = read_ahead_bytes_.load();
                bool ahead = read_ahead > max_read_ahead_bytes;
                if (paused_ && read_ahead <= max_read_ahead_bytes / 2) cv_.notify_all();  // caught up
                auto queued = std::find(stack_.rbegin(), stack_.rend(), awaited);
                if (queued != stack_.rend()) {
                    // What is needed next first: the top may be a later subtree that
                    // another thread pushed while this directory was being read.
                    task = awaited;
                    stack_.erase(std::next(queued).base());
                } else {
                    if (ahead || stack_.empty()) {
                        awaiting_ = awaited;
                        cv_.wait(lock, [&] { return awaited->done.load() || (!ahead && !stack_.empty()); });
                        awaiting_ = nullptr;
                        continue;
                    }
                    task = stack_.back();
                    stack_.pop_back();
                }
            }
            process(task, buf.get());
            watch_io(io);
        }
    }

    // Delivers every result that is ready, in order. Returns the directory whose result is
    // needed next, or null at the end.
    DirNode* advance() {
        for (;;) {
            if (frames_.empty()) {
                if (next_root_ == roots_.size()) return nullptr;
                DirNode* root = roots_[next_root_].get();
                if (!root->done.load(std::memory_order_acquire)) return root;
                path_ = root->name;
                enter(root);
                if (root->self) emit_file(*root->self, path_);
                continue;
            }
            Frame& f = frames_.back();
            if (f.next == f.node->items.size()) {
                frames_.pop_back();
                if (frames_.empty()) {
                    roots_[next_root_++].reset();
                } else {
                    Frame& up = frames_.back();
                    up.node->items[up.next - 1].dir.reset();  // its subtree is delivered
                    path_.resize(up.path_len);
                }
                continue;
            }
            Item& item = f.node->items[f.next];
            if (item.file) {
                ++f.next;
                size_t len = path_.size();
                append_component(path_, item.name);
                emit_file(*item.file, path_);
                path_.resize(len);
                item.file.reset();
                continue;
            }
            DirNode* child = item.dir.get();
            if (!child->done.load(std::memory_order_acquire)) return child;
            ++f.next;
            append_component(path_, child->name);
            enter(child);
        }
    }

    void enter(DirNode* n) {
        read_ahead_bytes_.fetch_sub(n->bytes, std::memory_order_relaxed);
        frames_.push_back({n, 0, path_.size()});
        if (n->error) {
            WalkEntry e{WalkEntry::Kind::directory, path_, std::nullopt,
                        detail::with_path(*n->error, path_)};
            visit_(e);
        }
    }

    void emit_file(const FileResult& r, const std::string& path) {
        WalkEntry e{WalkEntry::Kind::file, path, r.caps, std::nullopt};
        if (r.error) e.error = detail::with_path(*r.error, path);
        visit_(e);
    }

    bool excluded(dev_t dev, ino_t ino) const {
        for (const FileId& id : opt_.exclude)
            if (id.dev == dev && id.ino == ino) return true;
        return false;
    }

    // Reads the attribute of one regular file; null when there is nothing to report.
    std::unique_ptr<FileResult> inspect(int dirfd, const char* name, const DirNode* dir) {
        std::string fallback;
        const char* path = nullptr;
        if (dirfd != AT_FDCWD && detail::xattr_method() == detail::XattrMethod::path) {
            fallback = full_path(dir);
            append_component(fallback, name);
            path = fallback.c_str();
        }
        auto caps = detail::read_file_caps_at(dirfd, name, path);
        if (caps && !*caps && !opt_.all_files) return nullptr;
        auto r = std::make_unique<FileResult>();
        r->name = name;
        if (caps)
            r->caps = std::move(*caps);
        else
            r->error = std::move(caps.error());
        return r;
    }

    // Marks a directory read and schedules its subdirectories, first name on top.
    void finish(DirNode* n, unsigned long long dirs, unsigned long long files) {
        if (dirs) directories_.fetch_add(dirs, std::memory_order_relaxed);
        if (files) files_.fetch_add(files, std::memory_order_relaxed);
        size_t bytes = held_bytes(*n);
        bool wake;
        size_t pushed = 0;
        {
            std::lock_guard lock(mu_);
            for (auto it = n->items.rbegin(); it != n->items.rend(); ++it)
                if (it->dir) {
                    stack_.push_back(it->dir.get());
                    ++pushed;
                }
            bool awaited = awaiting_ == n;
            n->bytes = bytes;
            read_ahead_bytes_.fetch_add(bytes, std::memory_order_relaxed);
            n->done.store(true, std::memory_order_release);
            // After this point the caller may free n.
            wake = (pushed && (idle_ || awaiting_)) || awaited;
        }
        if (wake) cv_.notify_all();
    }

    void process(DirNode* n, char* buf) {
        int parent_fd = n->parent_fd ? n->parent_fd->get() : AT_FDCWD;
        if (!n->parent) {
            // A start: only a directory is walked, a regular file examined, the rest ignored.
            struct stat st {};
            if (::fstatat(AT_FDCWD, n->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                n->error = Error{errno, "", false};
                return finish(n, 0, 0);
            }
            if (S_ISREG(st.st_mode)) {
                if (!excluded(st.st_dev, st.st_ino)) n->self = inspect(AT_FDCWD, n->name.c_str(), n);
                return finish(n, 0, 1);
            }
            if (!S_ISDIR(st.st_mode)) return finish(n, 0, 0);
        }
        int fd = ::openat(parent_fd, n->name.c_str(), dir_flags);
        int open_errno = errno;
        n->parent_fd.reset();
        if (fd < 0) {
            // Replaced by a file or a symlink since it was listed: nothing to walk.
            if (open_errno != ENOTDIR && open_errno != ELOOP) n->error = Error{open_errno, "", false};
            return finish(n, 0, 0);
        }
        auto self = std::make_shared<Fd>(fd);
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            n->error = Error{errno, "", false};
            return finish(n, 0, 0);
        }
        n->dev = st.st_dev;
        n->ino = st.st_ino;
        n->start_dev = n->parent ? n->parent->start_dev : n->dev;
        if (excluded(n->dev, n->ino)) return finish(n, 0, 0);
        if (n->parent && n->dev != n->parent->dev) {
            // A mount point.
            struct statfs fs {};
            if ((opt_.one_file_system && n->dev != n->start_dev) ||
                (opt_.skip_pseudo_fs && ::fstatfs(fd, &fs) == 0 && is_pseudo_fs(fs.f_type))) {
                skipped_mounts_.fetch_add(1, std::memory_order_relaxed);
                return finish(n, 0, 0);
            }
        }

        unsigned long long files = 0;
        bool check_files = !opt_.exclude.empty();
        for (;;) {
            ssize_t got = ::getdents64(fd, buf, dirent_buffer_size);
            if (got < 0) {
                if (errno == EINTR) continue;
                n->error = Error{errno, "", false};
                break;
            }
            if (got == 0) break;
            for (ssize_t pos = 0; pos < got;) {
                auto* d = reinterpret_cast<struct dirent64*>(buf + pos);
                pos += d->d_reclen;
                const char* name = d->d_name;
                if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
                unsigned char type = d->d_type;
                if (type == DT_UNKNOWN) {
                    // Some file systems do not fill d_type.
                    struct stat est {};
                    if (::fstatat(fd, name, &est, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished
                    type = S_ISDIR(est.st_mode) ? DT_DIR : S_ISREG(est.st_mode) ? DT_REG : DT_UNKNOWN;
                }
                if (type == DT_DIR) {
                    auto child = std::make_unique<DirNode>();
                    child->parent = n;
                    child->name = name;
                    child->parent_fd = self;
                    Item item;
                    item.name = child->name;
                    item.dir = std::move(child);
                    n->items.push_back(std::move(item));
                } else if (type == DT_REG) {
                    ++files;
                    if (check_files && excluded(n->dev, static_cast<ino_t>(d->d_ino))) continue;
                    if (auto r = inspect(fd, name, n)) {
                        Item item;
                        item.name = r->name;
                        item.file = std::move(r);
                        n->items.push_back(std::move(item));
                    }
                }
            }
        }
        self.reset();  // closed now unless a subdirectory still has to be opened from it
        std::sort(n->items.begin(), n->items.end(),
                  [](const Item& a, const Item& b) { return a.name < b.name; });
        finish(n, 1, files);
    }

    const WalkOptions& opt_;
    const WalkVisitor& visit_;

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<DirNode*> stack_;  // directories to read, the next in walk order on top
    std::vector<std::thread> threads_;
    unsigned max_threads_ = 1;     // the calling thread included
    int thread_error_ = 0;         // errno of a thread that could not be started
    bool stop_ = false;
    unsigned idle_ = 0;              // worker threads waiting for work
    unsigned paused_ = 0;            // worker threads waiting for the caller to catch up
    std::atomic<size_t> read_ahead_bytes_{0};  // held by directories read, not yet entered
    DirNode* awaiting_ = nullptr;    // what the calling thread waits for

    // The caller's side.
    std::vector<std::unique_ptr<DirNode>> roots_;
    size_t next_root_ = 0;
    std::vector<Frame> frames_;
    std::string path_;

    std::atomic<unsigned long long> directories_{0}, files_{0}, skipped_mounts_{0};
};

}  // namespace

bool is_pseudo_fs(std::int64_t f_type) {
    // f_type is a signed long on some architectures: compare the low 32 bits.
    auto low = static_cast<std::uint32_t>(f_type);
    for (std::int64_t m : pseudo_fs_magic)
        if (static_cast<std::uint32_t>(m) == low) return true;
    return false;
}

WalkStats walk_file_caps(const std::vector<std::string>& starts, const WalkOptions& options,
                         const WalkVisitor& visit) {
    Walker walker(options, visit);
    return walker.run(starts);
}

}  // namespace capinspect
