// capinspect explain: why a process holds a capability (or what stops it), as a short
// derivation whose every step says whether it was observed, inferred, or cannot be
// observed. Pure: the caller gathers the process (with its threads, user namespace,
// executable file and cgroup), its ancestors (following PPid), and, where they apply, its
// unit's settings and pam_cap's grant for its user.
//
// Reference: capabilities(7) ("Transformation of capabilities during execve()", the
// bounding set, ambient capabilities, "Capabilities and execution of programs by root",
// SECBIT_NOROOT), prctl(2) PR_SET_NO_NEW_PRIVS, user_namespaces(7), systemd.exec(5),
// capability.conf(5).
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/process.h>

#include "capinspect/pam_cap.h"
#include "capinspect/unit_config.h"

namespace capinspect::auditor {

enum class Evidence { observed, inferred, not_observable };
// "observed", "inferred", "not-observable".
const char* evidence_name(Evidence e);

struct Step {
    const char* role;  // "held", "source", "limit", "scope", "thread"
    Evidence evidence;
    std::string detail;
};

struct Explanation {
    Cap cap = 0;
    std::vector<std::string> held;  // the sets that hold it: "effective", "permitted", ...
    std::vector<Step> steps;
};

// What pam_cap would give the process's user, when the machine uses it.
struct PamContext {
    std::string user;                      // the account of the real uid
    std::vector<std::string> pam_files;    // files of /etc/pam.d that load pam_cap.so
    std::optional<PamCapRule> rule;        // the first rule of capability.conf that matches
    std::optional<PamCapGrant> grant;      // what its first field gives
    std::string problem;                   // why there is no grant to show ("" when none)
};

struct ExplainContext {
    const Process* process = nullptr;       // read with threads, fact_user_ns, fact_exe_file, fact_cgroup
    std::vector<ProcStatus> ancestors;      // parent first, as far as PPid leads
    std::optional<UnitConfig> unit;         // its service's settings, when it runs in one
    std::string unit_problem;               // why `unit` is missing although it runs in a service
    std::optional<PamContext> pam;          // when capability.conf exists
    Cap last_cap = 40;
};

// The capabilities the process holds in any set but the bounding set, its threads'
// included, ascending.
CapSet held_capabilities(const Process& p);

Explanation explain_capability(const ExplainContext& ctx, Cap cap);

// "cap_net_raw": the name as capabilities(7) writes it.
std::string cap_display_name(Cap cap);

}  // namespace capinspect::auditor
