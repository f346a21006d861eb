#include "capinspect/unit_config.h"

#include <systemd/sd-bus.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace capinspect::auditor {
namespace {

// Each reader returns 0 or a negative errno, as sd-bus does.
int read_string(sd_bus_message* m, std::string& out) {
    const char* s = nullptr;
    int r = sd_bus_message_read_basic(m, 's', &s);
    if (r < 0) return r;
    out = s ? s : "";
    return 0;
}

int read_bool(sd_bus_message* m, bool& out) {
    int b = 0;
    int r = sd_bus_message_read_basic(m, 'b', &b);
    if (r < 0) return r;
    out = b != 0;
    return 0;
}

template <typename T>
int read_number(sd_bus_message* m, char type, T& out) {
    T v{};
    int r = sd_bus_message_read_basic(m, type, &v);
    if (r < 0) return r;
    out = v;
    return 0;
}

int read_strv(sd_bus_message* m, std::vector<std::string>& out) {
    char** l = nullptr;
    int r = sd_bus_message_read_strv(m, &l);
    if (r < 0) return r;
    out.clear();
    for (char** p = l; p && *p; ++p) {
        out.emplace_back(*p);
        std::free(*p);
    }
    std::free(l);
    return 0;
}

int read_filter(sd_bus_message* m, NameFilter& out) {
    int r = sd_bus_message_enter_container(m, 'r', "bas");
    if (r < 0) return r;
    if ((r = read_bool(m, out.allow)) < 0) return r;
    if ((r = read_strv(m, out.names)) < 0) return r;
    return sd_bus_message_exit_container(m);
}

// a(sasasttttuii): path, argv, flags, four timestamps, pid, code, status.
int read_exec(sd_bus_message* m, const std::string& property, std::vector<ExecCommand>& out) {
    int r = sd_bus_message_enter_container(m, 'a', "(sasasttttuii)");
    if (r < 0) return r;
    while ((r = sd_bus_message_enter_container(m, 'r', "sasasttttuii")) > 0) {
        ExecCommand c;
        c.property = property;
        std::uint64_t times[4];
        std::int32_t code = 0, status = 0;
        if ((r = read_string(m, c.path)) < 0 || (r = read_strv(m, c.argv)) < 0 || (r = read_strv(m, c.flags)) < 0)
            return r;
        for (auto& t : times)
            if ((r = read_number(m, 't', t)) < 0) return r;
        if ((r = read_number(m, 'u', c.pid)) < 0 || (r = read_number(m, 'i', code)) < 0 ||
            (r = read_number(m, 'i', status)) < 0)
            return r;
        if ((r = sd_bus_message_exit_container(m)) < 0) return r;
        out.push_back(std::move(c));
    }
    if (r < 0) return r;
    return sd_bus_message_exit_container(m);
}

struct Property {
    const char* signature;
    std::function<int(sd_bus_message*, UnitConfig&)> read;
};

template <typename Field>
Property text(Field field) {
    return {"s", [field](sd_bus_message* m, UnitConfig& c) { return read_string(m, c.*field); }};
}
template <typename Field>
Property flag(Field field) {
    return {"b", [field](sd_bus_message* m, UnitConfig& c) { return read_bool(m, c.*field); }};
}
template <typename Field>
Property list(Field field) {
    return {"as", [field](sd_bus_message* m, UnitConfig& c) { return read_strv(m, c.*field); }};
}
template <typename Field>
Property mask(Field field) {
    return {"t", [field](sd_bus_message* m, UnitConfig& c) { return read_number(m, 't', c.*field); }};
}
template <typename Field>
Property filter(Field field) {
    return {"(bas)", [field](sd_bus_message* m, UnitConfig& c) { return read_filter(m, c.*field); }};
}

const Property* find_property(std::string_view name) {
    using C = UnitConfig;
    static const std::vector<std::pair<std::string_view, Property>> table = {
        {"Id", text(&C::id)},
        {"LoadState", text(&C::load_state)},
        {"ActiveState", text(&C::active_state)},
        {"SubState", text(&C::sub_state)},
        {"FragmentPath", text(&C::fragment_path)},
        {"DropInPaths", list(&C::dropin_paths)},
        {"NeedDaemonReload", flag(&C::need_daemon_reload)},
        {"ActiveEnterTimestamp", mask(&C::active_enter_timestamp)},
        {"ControlGroup", text(&C::control_group)},
        {"ExecMainStartTimestamp", mask(&C::exec_main_start_timestamp)},
        {"MainPID", {"u", [](sd_bus_message* m, C& c) { return read_number(m, 'u', c.main_pid); }}},
        {"User", text(&C::user)},
        {"UID",
         {"u",
          [](sd_bus_message* m, C& c) {
              std::uint32_t uid = 0;
              int r = read_number(m, 'u', uid);
              if (r >= 0 && uid != 4294967295u) c.uid = uid;  // (uid_t) -1: none
              return r;
          }}},
        {"DynamicUser", flag(&C::dynamic_user)},
        {"CapabilityBoundingSet", mask(&C::bounding)},
        {"AmbientCapabilities", mask(&C::ambient)},
        {"NoNewPrivileges", flag(&C::no_new_privileges)},
        {"SecureBits", {"i", [](sd_bus_message* m, C& c) { return read_number(m, 'i', c.secure_bits); }}},
        {"SystemCallFilter", filter(&C::system_call_filter)},
        {"SystemCallArchitectures", list(&C::system_call_architectures)},
        {"RestrictNamespaces", mask(&C::restrict_namespaces)},
        {"RestrictAddressFamilies", filter(&C::restrict_address_families)},
        {"MemoryDenyWriteExecute", flag(&C::memory_deny_write_execute)},
        {"LockPersonality", flag(&C::lock_personality)},
        {"RestrictRealtime", flag(&C::restrict_realtime)},
        {"RestrictSUIDSGID", flag(&C::restrict_suid_sgid)},
        {"ProtectKernelModules", flag(&C::protect_kernel_modules)},
        {"ProtectKernelTunables", flag(&C::protect_kernel_tunables)},
        {"ProtectKernelLogs", flag(&C::protect_kernel_logs)},
        {"ProtectClock", flag(&C::protect_clock)},
        {"ProtectHostname", flag(&C::protect_hostname)},
        {"ProtectControlGroups", flag(&C::protect_control_groups)},
        {"PrivateTmp", flag(&C::private_tmp)},
        {"PrivateDevices", flag(&C::private_devices)},
        {"PrivateNetwork", flag(&C::private_network)},
        {"PrivateUsers", flag(&C::private_users)},
        {"ProtectSystem", text(&C::protect_system)},
        {"ProtectHome", text(&C::protect_home)},
        {"InaccessiblePaths", list(&C::inaccessible_paths)},
        {"ReadOnlyPaths", list(&C::read_only_paths)},
        {"ReadWritePaths", list(&C::read_write_paths)},
    };
    for (const auto& [key, prop] : table)
        if (key == name) return &prop;
    return nullptr;
}

// ExecStartEx, ExecStartPreEx, ... → "ExecStart", "ExecStartPre", ...
std::optional<std::string> exec_property(std::string_view name) {
    if (name.size() > 6 && name.substr(0, 4) == "Exec" && name.substr(name.size() - 2) == "Ex")
        return std::string(name.substr(0, name.size() - 2));
    return std::nullopt;
}

Failure malformed(std::string_view what, std::string_view property, int r) {
    return fail_data("systemd's answer about " + std::string(what) + " is malformed" +
                     (property.empty() ? std::string() : " at " + std::string(property)) + ": " +
                     std::strerror(-r));
}

}  // namespace

Result<bool> decode_unit_properties(sd_bus_message* reply, std::string_view what, UnitConfig& config) {
    int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
    if (r <= 0) return malformed(what, "", r == 0 ? -EBADMSG : r);
    while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        std::string name;
        if ((r = read_string(reply, name)) < 0) return malformed(what, "", r);
        const char* contents = nullptr;
        char type = 0;
        if ((r = sd_bus_message_peek_type(reply, &type, &contents)) <= 0 || type != 'v' || !contents)
            return malformed(what, name, r < 0 ? r : -EBADMSG);
        const Property* prop = find_property(name);
        auto exec = prop ? std::nullopt : exec_property(name);
        const char* expected = prop ? prop->signature : exec ? "a(sasasttttuii)" : nullptr;
        if (!expected) {
            if ((r = sd_bus_message_skip(reply, "v")) < 0) return malformed(what, name, r);
        } else {
            if (std::strcmp(contents, expected) != 0)
                return fail_data("systemd gave " + name + " of " + std::string(what) + " as type " + contents +
                                 ", not " + expected);
            if ((r = sd_bus_message_enter_container(reply, 'v', contents)) < 0) return malformed(what, name, r);
            r = prop ? prop->read(reply, config) : read_exec(reply, *exec, config.exec_commands);
            if (r < 0) return malformed(what, name, r);
            if ((r = sd_bus_message_exit_container(reply)) < 0) return malformed(what, name, r);
        }
        if ((r = sd_bus_message_exit_container(reply)) < 0) return malformed(what, name, r);
    }
    if (r < 0) return malformed(what, "", r);
    if ((r = sd_bus_message_exit_container(reply)) < 0) return malformed(what, "", r);
    return true;
}

std::string format_caps(std::uint64_t mask) {
    std::string out;
    for (Cap c : CapSet(mask)) {
        if (!out.empty()) out += ' ';
        const std::string& name = cap_name(c);
        out += name.rfind("cap_", 0) == 0 ? name : "cap_" + name;
    }
    return out;
}

std::string format_bool(bool b) { return b ? "yes" : "no"; }

std::string format_list(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

std::string format_filter(const NameFilter& f) { return (f.allow ? "" : "~") + format_list(f.names); }

std::string format_namespaces(std::uint64_t allowed) {
    // systemd's namespace_info order (src/shared/nsflags.c).
    static constexpr std::pair<const char*, std::uint64_t> names[] = {
        {"cgroup", 0x02000000}, {"ipc", 0x08000000}, {"net", 0x40000000}, {"mnt", 0x00020000},
        {"pid", 0x20000000},    {"user", 0x10000000}, {"uts", 0x04000000}, {"time", 0x00000080},
    };
    if (allowed == all_ones) return "no";
    if (allowed == 0) return "yes";
    std::vector<std::string> out;
    for (auto [name, flag] : names)
        if (allowed & flag) out.emplace_back(name);
    return format_list(out);
}

}  // namespace capinspect::auditor
