// libFuzzer target: /etc/security/capability.conf text → the rules, the rule of a few
// users, and the IAB text of each rule (what capinspect explain reads for pam_cap).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "capinspect/pam_cap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace capinspect::auditor;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto rules = parse_capability_conf(text);
    for (const auto& r : rules) (void)parse_pam_cap_iab(r.caps, 40);
    (void)find_pam_cap_rule(rules, "alice", {"staff", "wheel"});
    (void)find_pam_cap_rule(rules, "", {});
    (void)pam_config_uses_pam_cap(text);
    return 0;
}
