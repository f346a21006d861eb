// libFuzzer target: systemd's GetAll answer → decode_unit_properties. The input drives
// the making of an a{sv} message with sd-bus (property names the decoder knows or not,
// values of any of the types systemd uses, right or wrong), as a systemd that answers
// something unexpected would send it; the decoder must give a value or one error.
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "capinspect/unit_config.h"

namespace {

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
    bool empty() const { return p_ == end_; }
    std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
    std::uint64_t number() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = v << 8 | byte();
        return v;
    }
    std::string text() {
        std::size_t n = byte() % 24;
        std::string s;
        while (n-- && p_ < end_) {
            char c = static_cast<char>(*p_++);
            s += c ? c : 'x';  // D-Bus strings hold no NUL
        }
        return s;
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

constexpr const char* names[] = {
    "Id", "ControlGroup", "User", "UID", "MainPID", "CapabilityBoundingSet", "AmbientCapabilities",
    "NoNewPrivileges", "SecureBits", "SystemCallFilter", "SystemCallArchitectures", "RestrictNamespaces",
    "RestrictAddressFamilies", "PrivateTmp", "ProtectSystem", "InaccessiblePaths", "DropInPaths",
    "ExecStartEx", "ExecStopPostEx", "ActiveEnterTimestamp", "Environment", "Exec", "ExecEx",
};

// Appends one value of a type the input picks; false when sd-bus refused it.
bool append_value(sd_bus_message* m, Input& in) {
    switch (in.byte() % 9) {
    case 0: {
        std::string s = in.text();
        return sd_bus_message_append(m, "v", "s", s.c_str()) >= 0;
    }
    case 1: return sd_bus_message_append(m, "v", "b", int(in.byte() & 1)) >= 0;
    case 2: return sd_bus_message_append(m, "v", "t", in.number()) >= 0;
    case 3: return sd_bus_message_append(m, "v", "u", std::uint32_t(in.number())) >= 0;
    case 4: return sd_bus_message_append(m, "v", "i", std::int32_t(in.number())) >= 0;
    case 5: {
        std::string a = in.text(), b = in.text();
        return sd_bus_message_append(m, "v", "as", 2, a.c_str(), b.c_str()) >= 0;
    }
    case 6: {
        std::string a = in.text();
        return sd_bus_message_append(m, "v", "(bas)", int(in.byte() & 1), 1, a.c_str()) >= 0;
    }
    case 7: {
        std::string path = in.text(), arg = in.text(), flag = in.text();
        return sd_bus_message_append(m, "v", "a(sasasttttuii)", 1, path.c_str(), 1, arg.c_str(), 1, flag.c_str(),
                                     in.number(), in.number(), in.number(), in.number(),
                                     std::uint32_t(in.number()), 0, 0) >= 0;
    }
    default: return sd_bus_message_append(m, "v", "ay", 0) >= 0;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sd_bus* bus = [] {
        int fds[2];
        sd_bus* b = nullptr;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0 || sd_bus_new(&b) < 0 ||
            sd_bus_set_fd(b, fds[0], fds[0]) < 0 || sd_bus_start(b) < 0)
            abort();
        return b;
    }();
    Input in(data, size);
    sd_bus_message* m = nullptr;
    if (sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/x", "org.freedesktop.DBus.Properties",
                                       "GetAll") < 0)
        return 0;
    bool ok = true;
    bool dictionary = (in.byte() & 7) != 0;  // now and then, something else than a{sv}
    if (!dictionary) {
        std::string s = in.text();
        ok = sd_bus_message_append(m, "s", s.c_str()) >= 0;
    } else {
        ok = sd_bus_message_open_container(m, 'a', "{sv}") >= 0;
        while (ok && !in.empty()) {
            std::uint8_t pick = in.byte();
            std::string name = pick < 200 ? names[pick % (sizeof names / sizeof *names)] : in.text();
            ok = sd_bus_message_open_container(m, 'e', "sv") >= 0 && sd_bus_message_append(m, "s", name.c_str()) >= 0 &&
                 append_value(m, in) && sd_bus_message_close_container(m) >= 0;
        }
        ok = ok && sd_bus_message_close_container(m) >= 0;
    }
    if (ok && sd_bus_message_seal(m, 1, 0) >= 0 && sd_bus_message_rewind(m, 1) >= 0) {
        capinspect::auditor::UnitConfig config;
        (void)capinspect::auditor::decode_unit_properties(m, "fuzz.service", config);
    }
    sd_bus_message_unref(m);
    return 0;
}
