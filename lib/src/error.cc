#include <capinspect/error.h>

#include <cstring>

namespace capinspect {

std::string Error::message() const {
    std::string text = context;
    if (code != 0 && !data) {
        if (!text.empty()) text += ": ";
        text += std::strerror(code);
    }
    return text;
}

}  // namespace capinspect
