// uid → account name, each uid looked up once (NSS lookups are slow, and failing ones
// are the slowest: libcap-ng repeats them for every process).
#pragma once
#include <sys/types.h>

#include <string>
#include <unordered_map>

namespace capinspect::cli {

class AccountNames {
public:
    // The passwd name of uid, or the uid in decimal when it has none. uid 0 is "root"
    // without a lookup, as libcap-ng prints it.
    const std::string& name(uid_t uid);

private:
    std::unordered_map<uid_t, std::string> cache_;
};

}  // namespace capinspect::cli
