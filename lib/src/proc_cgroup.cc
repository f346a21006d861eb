#include <capinspect/proc_cgroup.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <dirent.h>

#include <capinspect/proc_root.h>

namespace capinspect {
namespace {

// Where the cgroup file system is mounted: the unified hierarchy, or on a cgroup v1 system
// the name=systemd one (parse_cgroup's choice).
constexpr std::array<const char*, 3> cgroup_mounts = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
                                                      "/sys/fs/cgroup/systemd"};

// Appends the pids of cgroup directory `dirfd` and its descendants.
Result<bool> collect_cgroup_pids(int dirfd, const std::string& label, std::vector<pid_t>& pids, int depth) {
    auto procs = read_file_at(dirfd, "cgroup.procs", label + "/cgroup.procs", proc_table_limit, true);
    if (!procs) return fail(procs.error());
    const char* p = procs->data();
    const char* end = p + procs->size();
    while (p < end) {
        pid_t pid = 0;
        auto [next, ec] = std::from_chars(p, end, pid);
        if (ec == std::errc() && pid > 0) pids.push_back(pid);
        p = next < end ? next + 1 : end;
    }
    if (depth > 256) return true;  // deeper than any manager nests
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(errno, label);
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        return fail(errno, label);
    }
    std::vector<std::string> children;
    while (struct dirent* e = ::readdir(dir))
        if (e->d_type == DT_DIR && e->d_name[0] != '.') children.emplace_back(e->d_name);
    ::closedir(dir);
    for (const std::string& name : children) {
        Fd child(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) continue;  // removed meanwhile
        auto r = collect_cgroup_pids(child.get(), label + "/" + name, pids, depth + 1);
        if (!r && r.error().code != ENOENT) return r;
    }
    return true;
}

bool is_unit_name(std::string_view component) {
    static constexpr std::array<std::string_view, 5> suffixes = {".service", ".scope", ".socket", ".mount",
                                                                 ".swap"};
    for (std::string_view s : suffixes)
        if (component.size() > s.size() && component.substr(component.size() - s.size()) == s) return true;
    return false;
}

// "user@1000.service" → 1000.
std::optional<std::uint32_t> user_manager_uid(std::string_view component) {
    constexpr std::string_view prefix = "user@", suffix = ".service";
    if (component.size() <= prefix.size() + suffix.size() || component.substr(0, prefix.size()) != prefix ||
        component.substr(component.size() - suffix.size()) != suffix)
        return std::nullopt;
    std::string_view digits = component.substr(prefix.size(), component.size() - prefix.size() - suffix.size());
    std::uint32_t uid = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), uid);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return uid;
}

void find_unit(std::string_view path, CgroupInfo& info) {
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view component = path.substr(i, j - i);
        i = j + 1;
        if (!is_unit_name(component)) continue;
        if (info.unit.empty()) {
            info.unit = std::string(component);
            if (auto uid = user_manager_uid(component)) {
                info.user_manager = uid;  // look for the user's own unit inside it
                continue;
            }
            return;
        }
        info.unit = std::string(component);  // the first unit of the user's manager
        return;
    }
    if (info.user_manager) info.user_manager.reset();  // the manager process itself
}

}  // namespace

CgroupInfo parse_cgroup(std::string_view text) {
    std::string_view v1_path, v2_path;
    bool v2 = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        // hierarchy-id:controllers:path
        size_t a = line.find(':');
        size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos) continue;
        std::string_view id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
        std::string_view path = line.substr(b + 1);
        if (id == "0" && controllers.empty()) {
            v2 = true;
            v2_path = path;
            break;
        }
        if (controllers == "name=systemd" && v1_path.empty()) v1_path = path;
    }
    CgroupInfo info;
    info.path = std::string(v2 ? v2_path : v1_path);
    find_unit(info.path, info);
    return info;
}

bool is_cgroup_below(std::string_view path, std::string_view ancestor) {
    while (ancestor.size() > 1 && ancestor.back() == '/') ancestor.remove_suffix(1);
    if (ancestor == "/") return !path.empty() && path[0] == '/';
    if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) return false;
    return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

Result<std::vector<pid_t>> list_cgroup_pids(std::string_view path) {
    std::vector<pid_t> pids;
    for (const char* mount : cgroup_mounts) {
        struct statfs fs {};
        if (::statfs(mount, &fs) != 0) continue;
        bool v2 = fs.f_type == CGROUP2_SUPER_MAGIC;
        if (!v2 && fs.f_type != CGROUP_SUPER_MAGIC) continue;
        if (!v2 && std::string_view(mount) != cgroup_mounts.back()) continue;
        std::string rel(path);
        while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
        std::string label = std::string(mount) + "/" + rel;
        Fd base(::open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!base) return fail(errno, mount);
        Fd dir(rel.empty() ? ::dup(base.get())
                           : ::openat(base.get(), rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir) {
            if (errno == ENOENT) return pids;
            return fail(errno, label);
        }
        auto r = collect_cgroup_pids(dir.get(), label, pids, 0);
        if (!r) {
            if (r.error().code == ENOENT) return std::vector<pid_t>();
            return fail(r.error());
        }
        std::sort(pids.begin(), pids.end());
        pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
        return pids;
    }
    return fail(ENOENT, "cgroup file system");
}

}  // namespace capinspect
