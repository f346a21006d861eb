// What netcap's two reports share: the options and the account of what could not be seen.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <capinspect/net_namespaces.h>
#include <capinspect/process.h>
#include <capinspect/proc_root.h>

#include "common/table.h"

namespace capinspect::netcap {

struct Options {
    bool advanced = false;
    bool json = false;
    bool column_mode = false;
    bool output_all = false;
    bool listening = false;
    bool all_netns = false;
    bool list_interfaces = false;
    bool no_color = false;
    std::optional<std::string> interface;
    std::optional<std::string> output_list;
    cli::OutputMode mode;
    std::string proc_root = default_proc_path;
};

// What could not be seen, said on stderr at the end.
struct Shortfall {
    ReadFailures read;
    std::vector<std::string> table_errors;
    unsigned skipped_sockets = 0;
    unsigned netns_unreachable = 0;

    unsigned dumps = 0;          // socket dumps taken
    unsigned dumps_unread = 0;   // of them, those where no table could be read

    // Takes the errors and skipped entries of a socket dump.
    void note(const SocketDump& dump);
    // Nothing could be read: no process, or no socket table at all.
    bool nothing_read() const { return read.nothing_read() || (dumps != 0 && dumps_unread == dumps); }
};

void report_shortfall(const Shortfall& s, const ProcRoot& root);

// --advanced (advanced.cc): the exposure inventory.
int run_advanced(const Options& opt, const ProcRoot& root);

}  // namespace capinspect::netcap
