// Where a snapshot is written: standard output or a file replaced atomically, every write
// checked (a failure is one line and exit status 2). Reports go through cli::write_out.
#pragma once
#include <cstdio>
#include <string>

namespace capinspect::auditor {

// The document's destination. "-" is standard output (through a descriptor of its own);
// a path that exists and is not a regular file (/dev/full, a FIFO, /dev/stdout) is written
// in place; any other path gets a temporary file beside it (same directory, mode of the
// file it replaces, else 0666 less the umask), renamed over it by commit(): readers see
// the old file or the whole new one, never a part. A temporary file is removed on
// failure, on abandon() and on SIGINT, SIGTERM, SIGHUP.
class OutputFile {
public:
    OutputFile() = default;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile() { abandon(); }

    // False with one line in `error` when it cannot be created.
    bool open(const std::string& path, std::string& error);
    std::FILE* stream() const { return stream_; }
    // Flushes, syncs and renames into place; false with one line in `error`.
    bool commit(std::string& error);
    // Closes and removes the temporary file, if any.
    void abandon();

private:
    std::FILE* stream_ = nullptr;
    std::string path_;  // what the user named
    std::string target_;
    std::string temp_;  // empty when writing in place
};

}  // namespace capinspect::auditor
