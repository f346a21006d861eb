#include "capinspect/snapshot_output.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "common/cli.h"

namespace capinspect::auditor {
namespace {

// The temporary file a signal handler removes: async-signal-safe storage.
char pending_temp[PATH_MAX + 1];

void remove_pending(int sig) {
    if (pending_temp[0]) ::unlink(pending_temp);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void watch_signals(const std::string& temp) {
    std::memcpy(pending_temp, temp.c_str(), temp.size() + 1);
    struct sigaction sa {};
    sa.sa_handler = remove_pending;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

void unwatch_signals() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
    pending_temp[0] = '\0';
}

}  // namespace

bool OutputFile::open(const std::string& path, std::string& error) {
    path_ = path;
    if (path == "-") {
        int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        stream_ = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
        if (!stream_) {
            error = fmt::format("cannot write to standard output: {}", std::strerror(errno));
            if (fd >= 0) ::close(fd);
            return false;
        }
        return true;
    }
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            error = fmt::format("cannot write {}: {}", path, std::strerror(EISDIR));
            return false;
        }
        stream_ = ::fopen(path.c_str(), "we");
        if (!stream_) {
            error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
            return false;
        }
        return true;
    }
    // Replace what a symlink points to, not the symlink.
    target_ = path;
    char resolved[PATH_MAX];
    if (exists && ::realpath(path.c_str(), resolved)) target_ = resolved;
    size_t slash = target_.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target_.substr(0, slash);
    std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
    temp_ = (dir == "/" ? "" : dir) + "/." + base + ".XXXXXX";
    if (temp_.size() > PATH_MAX) {
        error = fmt::format("cannot write {}: {}", path, std::strerror(ENAMETOOLONG));
        temp_.clear();
        return false;
    }
    std::string tmpl = temp_;
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) {
        error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
        temp_.clear();
        return false;
    }
    temp_ = tmpl;
    watch_signals(temp_);
    mode_t mode = 0;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    ::fchmod(fd, mode);
    stream_ = ::fdopen(fd, "w");
    if (!stream_) {
        error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
        ::close(fd);
        abandon();
        return false;
    }
    return true;
}

bool OutputFile::commit(std::string& error) {
    if (!stream_) return false;
    int err = 0;
    if (std::fflush(stream_) != 0 || std::ferror(stream_)) err = errno ? errno : EIO;
    if (!err && !temp_.empty() && ::fsync(::fileno(stream_)) != 0) err = errno;
    if (std::fclose(stream_) != 0 && !err) err = errno;
    stream_ = nullptr;
    if (!err && !temp_.empty() && ::rename(temp_.c_str(), target_.c_str()) != 0) err = errno;
    if (err) {
        if (err == EPIPE && path_ == "-") {
            abandon();
            return false;  // the reader went away: quiet
        }
        error = path_ == "-" ? fmt::format("write error: {}", std::strerror(err))
                             : fmt::format("cannot write {}: {}", path_, std::strerror(err));
        abandon();
        return false;
    }
    temp_.clear();
    unwatch_signals();
    return true;
}

void OutputFile::abandon() {
    if (stream_) {
        std::fclose(stream_);
        stream_ = nullptr;
    }
    if (!temp_.empty()) {
        ::unlink(temp_.c_str());
        temp_.clear();
        unwatch_signals();
    }
}

}  // namespace capinspect::auditor
