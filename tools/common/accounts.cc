#include "common/accounts.h"

#include <pwd.h>

#include <vector>

namespace capinspect::cli {

const std::string& AccountNames::name(uid_t uid) {
    auto it = cache_.find(uid);
    if (it != cache_.end()) return it->second;
    std::string name;
    if (uid == 0) {
        name = "root";
    } else {
        struct passwd pw {}, *found = nullptr;
        std::vector<char> buf(4096);
        while (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == ERANGE && buf.size() < (1u << 20))
            buf.resize(buf.size() * 2);
        name = found ? found->pw_name : std::to_string(uid);
    }
    return cache_.emplace(uid, std::move(name)).first->second;
}

}  // namespace capinspect::cli
