// capinspect unit: the decoder of systemd's GetAll answers, on messages built here with
// sd-bus (the types systemd 252 sends, and wrong ones), without any bus to talk to.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "capinspect/unit_config.h"

using namespace capinspect;
using namespace capinspect::auditor;

namespace {

// A bus object that is started (sd-bus makes messages only then) on one end of a socket
// pair nobody answers.
class Bus {
public:
    Bus() {
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_) == 0);
        REQUIRE(sd_bus_new(&bus_) >= 0);
        REQUIRE(sd_bus_set_fd(bus_, fds_[0], fds_[0]) >= 0);
        REQUIRE(sd_bus_start(bus_) >= 0);
    }
    ~Bus() {
        sd_bus_close_unref(bus_);
        close(fds_[1]);
    }
    sd_bus* get() { return bus_; }

private:
    sd_bus* bus_ = nullptr;
    int fds_[2] = {-1, -1};
};

// An a{sv} answer under construction.
class Answer {
public:
    explicit Answer(Bus& bus) {
        REQUIRE(sd_bus_message_new_method_call(bus.get(), &m_, "org.freedesktop.systemd1", "/x",
                                               "org.freedesktop.DBus.Properties", "GetAll") >= 0);
        REQUIRE(sd_bus_message_open_container(m_, 'a', "{sv}") >= 0);
    }
    ~Answer() { sd_bus_message_unref(m_); }

    // One property: `signature` and a function that appends the value.
    template <typename Append>
    Answer& prop(const char* name, const char* signature, Append append) {
        REQUIRE(sd_bus_message_open_container(m_, 'e', "sv") >= 0);
        REQUIRE(sd_bus_message_append_basic(m_, 's', name) >= 0);
        REQUIRE(sd_bus_message_open_container(m_, 'v', signature) >= 0);
        append(m_);
        REQUIRE(sd_bus_message_close_container(m_) >= 0);
        REQUIRE(sd_bus_message_close_container(m_) >= 0);
        return *this;
    }
    Answer& text(const char* name, const char* value) {
        return prop(name, "s", [&](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "s", value) >= 0); });
    }
    Answer& flag(const char* name, bool value) {
        return prop(name, "b", [&](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "b", int(value)) >= 0); });
    }
    Answer& u64(const char* name, std::uint64_t value) {
        return prop(name, "t", [&](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "t", value) >= 0); });
    }
    Answer& u32(const char* name, std::uint32_t value) {
        return prop(name, "u", [&](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "u", value) >= 0); });
    }
    Answer& strv(const char* name, std::vector<const char*> values) {
        values.push_back(nullptr);
        return prop(name, "as", [&](sd_bus_message* m) {
            REQUIRE(sd_bus_message_append_strv(m, const_cast<char**>(values.data())) >= 0);
        });
    }
    Answer& filter(const char* name, bool allow, std::vector<const char*> values) {
        values.push_back(nullptr);
        return prop(name, "(bas)", [&](sd_bus_message* m) {
            REQUIRE(sd_bus_message_open_container(m, 'r', "bas") >= 0);
            REQUIRE(sd_bus_message_append(m, "b", int(allow)) >= 0);
            REQUIRE(sd_bus_message_append_strv(m, const_cast<char**>(values.data())) >= 0);
            REQUIRE(sd_bus_message_close_container(m) >= 0);
        });
    }

    // The finished message, positioned for reading.
    sd_bus_message* done() {
        REQUIRE(sd_bus_message_close_container(m_) >= 0);
        REQUIRE(sd_bus_message_seal(m_, 1, 0) >= 0);
        REQUIRE(sd_bus_message_rewind(m_, 1) >= 0);
        return m_;
    }

private:
    sd_bus_message* m_ = nullptr;
};

}  // namespace

TEST_CASE("unit config: every property systemd 252 sends, in its type") {
    Bus bus;
    Answer a(bus);
    a.text("Id", "sandbox.service")
        .text("LoadState", "loaded")
        .text("ActiveState", "active")
        .text("SubState", "running")
        .text("FragmentPath", "/run/systemd/system/sandbox.service")
        .strv("DropInPaths", {"/run/systemd/system/sandbox.service.d/narrow.conf"})
        .flag("NeedDaemonReload", false)
        .u64("ActiveEnterTimestamp", 1765000000000000)
        .text("ControlGroup", "/system.slice/sandbox.service")
        .u32("MainPID", 84)
        .text("User", "nobody")
        .u32("UID", 65534)
        .flag("DynamicUser", false)
        .u64("CapabilityBoundingSet", 1024)
        .u64("AmbientCapabilities", 1024)
        .flag("NoNewPrivileges", true)
        .prop("SecureBits", "i", [](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "i", 16) >= 0); })
        .filter("SystemCallFilter", false, {"chroot", "mount"})
        .strv("SystemCallArchitectures", {"native"})
        .u64("RestrictNamespaces", 0)
        .filter("RestrictAddressFamilies", true, {"AF_INET", "AF_UNIX"})
        .flag("PrivateTmp", true)
        .flag("PrivateDevices", true)
        .flag("PrivateNetwork", true)
        .flag("PrivateUsers", true)
        .flag("ProtectControlGroups", true)
        .text("ProtectSystem", "strict")
        .text("ProtectHome", "read-only")
        .strv("InaccessiblePaths", {"/srv", "-/nonexistent"})
        .strv("ReadOnlyPaths", {"/opt"})
        .strv("ReadWritePaths", {})
        // Properties the decoder does not need are skipped, whatever their type.
        .prop("Environment", "as", [](sd_bus_message* m) { REQUIRE(sd_bus_message_append(m, "as", 1, "A=1") >= 0); })
        .prop("ExecStartEx", "a(sasasttttuii)", [](sd_bus_message* m) {
            REQUIRE(sd_bus_message_append(m, "a(sasasttttuii)", 1, "/bin/sleep", 2, "/bin/sleep", "600", 1,
                                          "privileged", std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{0},
                                          std::uint64_t{0}, 83u, 0, 0) >= 0);
        })
        .prop("ExecStopPostEx", "a(sasasttttuii)", [](sd_bus_message* m) {
            REQUIRE(sd_bus_message_append(m, "a(sasasttttuii)", 0) >= 0);
        });
    UnitConfig c;
    auto r = decode_unit_properties(a.done(), "sandbox.service", c);
    REQUIRE(r);
    CHECK(c.id == "sandbox.service");
    CHECK(c.active_state == "active");
    CHECK(c.dropin_paths == std::vector<std::string>{"/run/systemd/system/sandbox.service.d/narrow.conf"});
    CHECK(c.active_enter_timestamp == 1765000000000000u);
    CHECK(c.control_group == "/system.slice/sandbox.service");
    CHECK(c.main_pid == 84);
    CHECK(c.user == "nobody");
    CHECK(c.uid == 65534u);
    CHECK(c.bounding == 1024);
    CHECK(c.bounding_set());
    CHECK(c.ambient == 1024);
    CHECK(c.no_new_privileges);
    CHECK(c.secure_bits == 16);
    CHECK_FALSE(c.system_call_filter.allow);
    CHECK(c.system_call_filter.names == std::vector<std::string>{"chroot", "mount"});
    CHECK(c.system_call_architectures == std::vector<std::string>{"native"});
    CHECK(c.namespaces_restricted());
    CHECK(c.restrict_address_families.allow);
    CHECK(c.private_tmp);
    CHECK(c.private_users);
    CHECK(c.protect_control_groups);
    CHECK(c.protect_system == "strict");
    CHECK(c.protect_home == "read-only");
    CHECK(c.inaccessible_paths == std::vector<std::string>{"/srv", "-/nonexistent"});
    REQUIRE(c.exec_commands.size() == 1);
    CHECK(c.exec_commands[0].property == "ExecStart");
    CHECK(c.exec_commands[0].argv == std::vector<std::string>{"/bin/sleep", "600"});
    CHECK(c.exec_commands[0].flags == std::vector<std::string>{"privileged"});
    CHECK(c.exec_commands[0].pid == 83);
}

TEST_CASE("unit config: unset values stay unset") {
    Bus bus;
    Answer a(bus);
    a.u64("CapabilityBoundingSet", all_ones).u32("UID", 4294967295u).u64("RestrictNamespaces", all_ones);
    UnitConfig c;
    REQUIRE(decode_unit_properties(a.done(), "x.service", c));
    CHECK_FALSE(c.bounding_set());
    CHECK_FALSE(c.uid);
    CHECK_FALSE(c.namespaces_restricted());
    CHECK_FALSE(c.system_call_filter.is_set());
}

TEST_CASE("unit config: a property of another type is one error, never a guess") {
    struct Case {
        std::function<void(Answer&)> build;
        const char* message;
    };
    const Case cases[] = {
        {[](Answer& a) { a.text("CapabilityBoundingSet", "cap_chown"); },
         "systemd gave CapabilityBoundingSet of x.service as type s, not t"},
        {[](Answer& a) { a.u32("NoNewPrivileges", 1); }, "systemd gave NoNewPrivileges of x.service as type u, not b"},
        {[](Answer& a) { a.strv("SystemCallFilter", {"read"}); },
         "systemd gave SystemCallFilter of x.service as type as, not (bas)"},
        {[](Answer& a) { a.text("ControlGroup", "/ok").u64("ControlGroup", 1); },
         "systemd gave ControlGroup of x.service as type t, not s"},
        {[](Answer& a) {
             a.prop("ExecStartEx", "a(sasasttttui)", [](sd_bus_message* m) {
                 REQUIRE(sd_bus_message_append(m, "a(sasasttttui)", 0) >= 0);
             });
         },
         "systemd gave ExecStartEx of x.service as type a(sasasttttui), not a(sasasttttuii)"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.message);
        Bus bus;
        Answer a(bus);
        c.build(a);
        UnitConfig config;
        auto r = decode_unit_properties(a.done(), "x.service", config);
        REQUIRE_FALSE(r);
        CHECK(r.error().data);
        CHECK(r.error().message() == c.message);
    }
}

TEST_CASE("unit config: an answer that is not a dictionary") {
    Bus bus;
    sd_bus_message* m = nullptr;
    REQUIRE(sd_bus_message_new_method_call(bus.get(), &m, "org.freedesktop.systemd1", "/x", "i.f", "M") >= 0);
    REQUIRE(sd_bus_message_append(m, "s", "not a dictionary") >= 0);
    REQUIRE(sd_bus_message_seal(m, 1, 0) >= 0);
    REQUIRE(sd_bus_message_rewind(m, 1) >= 0);
    UnitConfig c;
    auto r = decode_unit_properties(m, "x.service", c);
    sd_bus_message_unref(m);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().rfind("systemd's answer about x.service is malformed", 0) == 0);
}
