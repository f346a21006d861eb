// pam_cap's /etc/security/capability.conf: the inheritable (and ambient, and blocked
// bounding) capabilities PAM gives a user at login. Reference: capability.conf(5),
// pam_cap(8), cap_text_formats(7) ("IAB" text), libcap 2.66's pam_cap.c: one rule a line,
// "<IAB or all or none> <who>...", who a user name, "@group" or "*"; '#' starts a comment;
// the first line that matches the user wins. "all" changes nothing, "none" clears the
// inheritable set.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>

namespace capinspect::auditor {

struct PamCapRule {
    unsigned line = 0;
    std::string caps;              // the first field as written
    std::vector<std::string> who;  // "alice", "@staff", "*"
};

// The rules of a capability.conf text. Never fails: a line is its first field and the
// blank-separated names after it; a line with a first field only matches nobody.
std::vector<PamCapRule> parse_capability_conf(std::string_view text);

// The first rule that names `user`, one of `groups` ("@group") or "*"; nullptr when none.
const PamCapRule* find_pam_cap_rule(const std::vector<PamCapRule>& rules, std::string_view user,
                                    const std::vector<std::string>& groups);

// What a rule's first field gives: "all" (no change), "none" (inheritable cleared), or an
// IAB list: "cap_a,^cap_b,!cap_c" raises a in the inheritable set, b in the inheritable
// and ambient sets, and drops c from the bounding set. An unknown name is an EINVAL data
// error (pam_cap then changes nothing).
struct PamCapGrant {
    bool all = false, none = false;
    CapSet inheritable, ambient, blocked;
};
Result<PamCapGrant> parse_pam_cap_iab(std::string_view text, Cap last_cap);

// Whether a PAM configuration text (a file of /etc/pam.d) loads pam_cap.so on a line
// that is not a comment.
bool pam_config_uses_pam_cap(std::string_view text);

}  // namespace capinspect::auditor
